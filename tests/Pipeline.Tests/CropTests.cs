using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Stages;

namespace Pipeline.Tests;

public class CropTests
{
    private static readonly ModelCard Card = new() { InputSize = 4, ShorterSide = 6, Resize = "crop", Classes = [new("n1", "one")] };

    [Fact]
    public void Ten_crops_are_the_corners_and_centre_and_their_mirrors()
    {
        // 9x6 image, shorter side 6: no rescale; crops of 4 at x in {0, 5, 2}, y in {0, 2, 1}.
        var layout = CropLayout.For(new Size(9, 6), Card, 10);
        Assert.Equal(new Size(9, 6), layout.Rescaled);
        Assert.Equal(
            [(0, 0), (5, 0), (0, 2), (5, 2), (2, 1)],
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
