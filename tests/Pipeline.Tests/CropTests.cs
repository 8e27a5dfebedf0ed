using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Saliency;

namespace Pipeline.Tests;

public class CropTests
{
    private static readonly ModelCard Card = new() { InputSize = 4, ShorterSide = 6, Resize = "crop", Classes = [new("n1", "one")] };

    [Fact]
    public void Ten_crops_are_the_corners_and_centre_and_their_mirrors()
    {
        // 8x6 image, shorter side 6: no rescale; crops of 4 at x in {0, 4, 2}, y in {0, 2, 1}.
        var layout = CropLayout.For(new Size(8, 6), Card, 10);
        Assert.Equal(new Size(8, 6), layout.Rescaled);
        Assert.Equal(
            [(0, 0), (4, 0), (0, 2), (4, 2), (2, 1)],
            layout.Crops.Where(c => !c.Mirrored).Select(c => (c.X, c.Y)));
        Assert.Equal(5, layout.Crops.Count(c => c.Mirrored));
    }

    [Fact]
    public void Averaging_flips_mirrored_maps_back_and_divides_by_coverage()
    {
        var layout = CropLayout.For(new Size(4, 4), Card with { ShorterSide = 4 }, 10);
        // Every crop covers the whole 4x4 image. Unmirrored maps mark column 0; mirrored maps,
        // seen flipped, mark column 3, which is column 0 of the image again.
        var maps = layout.Crops.Select(c => Enumerable.Range(0, 16).Select(i => (c.Mirrored ? i % 4 == 3 : i % 4 == 0) ? 1f : 0f).ToArray()).ToList();
        var average = layout.Average(maps, new Size(4, 4));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i % 4 == 0 ? 1f : 0f), average);
    }

    [Fact]
    public void A_tall_image_gets_its_long_edges_midpoints_where_corners_and_centre_leave_two_patches()
    {
        // The demo parrot rescaled: 256x464, crops of 224. Corners cover rows [0, 224) and [240, 464);
        // between them the centre (x 16..240) leaves columns [0, 16) and [240, 256) of rows [224, 240).
        var card = new ModelCard { InputSize = 224, ShorterSide = 256, Resize = "crop", Classes = [new("n1", "one")] };
        var layout = CropLayout.For(new Size(256, 464), card, 10);
        Assert.Equal(
            [(0, 0), (32, 0), (0, 240), (32, 240), (16, 120), (0, 120), (32, 120)],
            layout.Crops.Where(c => !c.Mirrored).Select(c => (c.X, c.Y)));
        Assert.Equal(7, layout.Crops.Count(c => c.Mirrored));
        Assert.Equal(2 * 16 * 16, Uncovered(layout.Rescaled, Paper(layout.Rescaled, 224), 224));
        Assert.Equal(0, Uncovered(layout.Rescaled, layout.Crops, 224));
    }

    public static TheoryData<int, int, string, int> CardsAndSides => new()
    {
        { 224, 256, "crop", 100 }, { 224, 256, "crop", 256 }, { 224, 256, "crop", 333 }, { 224, 256, "crop", 1000 },
        { 224, 224, "crop", 300 }, { 4, 6, "crop", 7 }, { 4, 12, "crop", 5 }, { 100, 300, "crop", 301 }, { 100, 250, "crop", 250 },
        { 224, 256, "squash", 500 }, { 100, 300, "squash", 123 },
    };

    [Theory]
    [MemberData(nameof(CardsAndSides))]
    public void Every_pixel_is_in_a_crop_at_every_aspect_and_the_papers_crops_stay_where_they_cover(int input, int shorter, string resize, int shortSide)
    {
        var card = new ModelCard { InputSize = input, ShorterSide = shorter, Resize = resize, Classes = [new("n1", "one")] };
        int papers = 0, grown = 0;
        for (double aspect = 1; aspect <= 20.0001; aspect += 0.05)
        foreach (bool wide in new[] { true, false })
        {
            int longSide = (int)Math.Round(shortSide * aspect);
            var original = wide ? new Size(longSide, shortSide) : new Size(shortSide, longSide);
            var layout = CropLayout.For(original, card, 10);
            var where = $"{original.Width}x{original.Height} -> {layout.Rescaled.Width}x{layout.Rescaled.Height}";
            Assert.True(layout.Crops.All(c => c.X >= 0 && c.Y >= 0 && c.X + input <= layout.Rescaled.Width && c.Y + input <= layout.Rescaled.Height), where);
            Assert.True(Uncovered(layout.Rescaled, layout.Crops, input) == 0, where);
            var paper = Paper(layout.Rescaled, input);
            if (Uncovered(layout.Rescaled, paper, input) == 0)
            {
                Assert.Equal(paper, layout.Crops);
                papers++;
            }
            else
            {
                // The paper's crops come first, then each added place with its mirror.
                Assert.Equal(paper, layout.Crops.Take(10));
                Assert.Equal(layout.Crops.Count, layout.Crops.Distinct().Count());
                Assert.InRange(layout.Crops.Count, 12, CropLayout.MostCrops(10));
                grown++;
            }
        }
        // Both cases occur, but for a square (squash) or a short side a crop spans no crops are added,
        // and above 2 crop sides even a square gets them.
        Assert.True(papers > 0 || shorter > 2 * input, $"{input}/{shorter}: the paper's crops never covered");
        Assert.True(grown > 0 || resize == "squash" || input == shorter, $"{input}/{shorter}: no image needed more crops");
    }

    [Fact]
    public void One_crop_is_the_centre_whatever_the_aspect()
    {
        var card = new ModelCard { InputSize = 224, ShorterSide = 256, Resize = "crop", Classes = [new("n1", "one")] };
        Assert.Equal([new Crop(224, 16, false)], CropLayout.For(new Size(1500, 450), card, 1).Crops);
    }

    [Fact]
    public void A_card_whose_crops_could_not_cover_its_rescaled_image_is_refused()
    {
        string Json(int shorter) => $$"""{"name":"t","inputSize":100,"shorterSide":{{shorter}},"resize":"crop","channelOrder":"RGB","scale":1,"mean":[0,0,0],"std":[1,1,1],"classOffset":0,"classes":[{"wnid":"n1","name":"one"}]}""";
        Assert.Equal(300, ModelCard.Parse(Json(300), "card.json").ShorterSide);
        var refused = Assert.Throws<InputException>(() => ModelCard.Parse(Json(301), "card.json"));
        Assert.StartsWith("card.json: shorterSide 301", refused.Message);
    }

    [Fact]
    public void An_image_with_more_crops_takes_fewer_classes_a_pass_so_a_pass_holds_at_most_60_crop_classes()
    {
        // 60 crop-classes a pass (10 crops x 6): 60 / 14 = 4 classes, 60 / 18 = 3, never more than 6.
        Assert.Equal([6, 6, 5, 4, 3], new[] { 1, 10, 12, 14, 18 }.Select(ExplainSettings.ClassesPerPassFor));
        // Over 10, 12, 14, 16, 18 crops: 6 classes give 60, 60, 56, 48, 54; 4 give 40, 48, 56, 48, 54; 1 gives 18 at most.
        Assert.Equal(60, ExplainSettings.MostPerPass(10, 6));
        Assert.Equal(56, ExplainSettings.MostPerPass(10, 4));
        Assert.Equal(18, ExplainSettings.MostPerPass(10, 1));
        Assert.Equal(5, ExplainSettings.MostPerPass(1, 5));
    }

    /// <summary>The paper's 10 crops, written out here: corners and centre, each followed by its mirror.</summary>
    private static List<Crop> Paper(Size rescaled, int side)
    {
        int right = rescaled.Width - side, bottom = rescaled.Height - side;
        return new[] { (0, 0), (right, 0), (0, bottom), (right, bottom), (right / 2, bottom / 2) }
            .SelectMany(p => new[] { new Crop(p.Item1, p.Item2, false), new Crop(p.Item1, p.Item2, true) }).ToList();
    }

    private static int Uncovered(Size size, IEnumerable<Crop> crops, int side)
    {
        var covered = new bool[size.Width * size.Height];
        foreach (var c in crops)
            for (int y = c.Y; y < c.Y + side; y++)
                Array.Fill(covered, true, y * size.Width + c.X, side);
        return covered.Count(v => !v);
    }

    [Theory]
    [InlineData("mobilenet_v2.card.json")]
    [InlineData("tiny_darknet.card.json")]
    [InlineData("vgg16_model_zoo.card.json")]
    public void Shipped_cards_parse_and_fit_an_imagenet_classifier(string file)
    {
        var card = ModelCard.Load(Path.Combine(CommandLine.Repository(), "models", "onnx", file));
        card.CheckFits([1, 3, 224, 224], 1000, file);
        Assert.Equal("n01440764", card.Classes[0].Wnid);
        Assert.Equal("n15075141", card.Classes[999].Wnid);
    }

    [Fact]
    public void A_card_that_does_not_fit_is_refused()
    {
        var card = Card with { InputSize = 224, Classes = Enumerable.Range(0, 1000).Select(i => new CardClass($"n{i}", "")).ToList() };
        card.CheckFits([1, 3, 224, 224], 1000, "m.onnx");
        Assert.Throws<InputException>(() => card.CheckFits([1, 3, 224, 224], 1001, "m.onnx"));
        Assert.Throws<InputException>(() => (card with { ClassOffset = 1 }).CheckFits([1, 3, 224, 224], 1000, "m.onnx"));
        (card with { ClassOffset = 1 }).CheckFits([1, 3, 224, 224], 1001, "m.onnx");
        Assert.Throws<InputException>(() => card.CheckFits([1, 3, 299, 299], 1000, "m.onnx"));
    }
}
