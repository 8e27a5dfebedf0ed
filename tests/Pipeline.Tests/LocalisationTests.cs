using OpenCvSharp;
using Pipeline.Localisation;

namespace Pipeline.Tests;

/// <summary>Localisers on synthetic images whose right answer is known.</summary>
public class LocalisationTests
{
    /// <summary>A red rectangle on a textured blue background; the map is high on a part of the rectangle only.</summary>
    private static (Mat Image, float[] Map, Box Object) Scene()
    {
        int w = 200, h = 150;
        var image = new Mat(h, w, MatType.CV_8UC3, new Scalar(200, 80, 40));
        var random = new Random(3);
        var obj = new Box(60, 40, 139, 109);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            bool inside = x >= obj.XMin && x <= obj.XMax && y >= obj.YMin && y <= obj.YMax;
            int noise = random.Next(-20, 21);
            image.Set(y, x, inside ? new Vec3b(30, (byte)(40 + noise / 2), (byte)(210 + noise / 2)) : new Vec3b((byte)(200 + noise / 2), (byte)(80 + noise), 40));
        }
        // Saliency: strong on a part of the rectangle (the "discriminative part"), middling on the
        // rest of it, weak speckle on the background.
        var map = new float[w * h];
        for (int i = 0; i < map.Length; i++)
        {
            int x = i % w, y = i / w;
            bool part = x >= 60 && x <= 90 && y >= 40 && y <= 109;
            bool inside = x >= obj.XMin && x <= obj.XMax && y >= obj.YMin && y <= obj.YMax;
            map[i] = (float)(part ? 1 + random.NextDouble() : inside ? 0.2 + 0.1 * random.NextDouble() : 0.1 * random.NextDouble());
        }
        return (image, map, obj);
    }

    [Fact]
    public void Paper_method_grows_the_discriminative_part_to_the_whole_object_by_colour()
    {
        var (image, map, obj) = Scene();
        using (image)
        {
            var located = new PaperLocaliser(new()).Locate(image, map);
            Assert.Equal("segmentation", located.How);
            Assert.True(located.Box.IoU(obj) > 0.8, $"box {located.Box} vs object {obj}");
        }
    }

    [Fact]
    public void Flat_and_empty_maps_fall_back_without_crashing()
    {
        var (image, _, _) = Scene();
        using (image)
        {
            var flat = new float[image.Width * image.Height];
            foreach (var localiser in Localiser.All)
            {
                var located = localiser.Locate(image, flat);
                Assert.Equal(Box.Whole(image.Width, image.Height), located.Box);
            }
            // A tiny image: 5% of 64 pixels are too few foreground seeds for colour models.
            using var tiny = image.Resize(new Size(8, 8));
            var noise = Enumerable.Range(0, 64).Select(i => (float)(i * 7 % 64)).ToArray();
            var paper = new PaperLocaliser(new()).Locate(tiny, noise);
            Assert.StartsWith("too few seeds", paper.How);
        }
    }

    [Fact]
    public void Threshold_box_takes_the_largest_region_above_the_threshold_or_all_of_them()
    {
        // Without smoothing, on a 40x20 map scaled 0..1: a 10x5 block at 1.0, a 3x3 block at 0.6 far
        // from it, background 0. At 0.5 the largest region is the 10x5 block; all regions span both;
        // at 0.7 only the large block is above. Hand-computed boxes.
        int w = 40, h = 20;
        var map = new float[w * h];
        for (int y = 5; y <= 9; y++) for (int x = 10; x <= 19; x++) map[y * w + x] = 1;
        for (int y = 14; y <= 16; y++) for (int x = 30; x <= 32; x++) map[y * w + x] = 0.6f;
        using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.All(0));
        var options = new ThresholdBoxOptions { BoxSigma = 0, Threshold = 0.5 };
        Assert.Equal(new Box(10, 5, 19, 9), new ThresholdBoxLocaliser(options).Locate(image, map).Box);
        Assert.Equal(new Box(10, 5, 32, 16), new ThresholdBoxLocaliser(options with { AllRegions = true }).Locate(image, map).Box);
        Assert.Equal(new Box(10, 5, 19, 9), new ThresholdBoxLocaliser(options with { Threshold = 0.7, AllRegions = true }).Locate(image, map).Box);
        Assert.Equal(Box.Whole(w, h), new ThresholdBoxLocaliser(options).Locate(image, new float[w * h]).Box);
    }

    [Fact]
    public void Threshold_box_finds_the_salient_part_of_the_scene()
    {
        var (image, map, _) = Scene();
        using (image)
        {
            // The strong part is columns 60..90 of the object's rows 40..109; smoothing widens it by a few pixels at most.
            var box = new ThresholdBoxLocaliser(new() { BoxSigma = 0.02, Threshold = 0.5 }).Locate(image, map).Box;
            Assert.InRange(box.XMin, 55, 62);
            Assert.InRange(box.XMax, 88, 95);
            Assert.InRange(box.YMin, 36, 42);
            Assert.InRange(box.YMax, 107, 113);
        }
    }

    [Fact]
    public void Open_mass_box_settings_take_the_defaults_of_the_models_rule_and_set_ones_stay()
    {
        var open = new MassBoxOptions();
        Assert.Equal((0.02, 2.0), (open.ForRule(GradientGraphs.Building.AttributionMethod.Gradient).BoxSigma, open.ForRule(GradientGraphs.Building.AttributionMethod.Gradient).MassPower));
        Assert.Equal((0.05, 1.0), (open.ForRule(GradientGraphs.Building.AttributionMethod.Guided).BoxSigma, open.ForRule(GradientGraphs.Building.AttributionMethod.Guided).MassPower));
        Assert.Equal((0.05, 1.0), (open.ForRule(GradientGraphs.Building.AttributionMethod.DeconvNet).BoxSigma, open.ForRule(GradientGraphs.Building.AttributionMethod.DeconvNet).MassPower));
        Assert.Equal((0.1, 3.0), ((open with { BoxSigma = 0.1, MassPower = 3 }).ForRule(GradientGraphs.Building.AttributionMethod.Guided).BoxSigma, (open with { BoxSigma = 0.1, MassPower = 3 }).ForRule(GradientGraphs.Building.AttributionMethod.Guided).MassPower));
        // threshold-box takes the same sigma by rule; a localiser's ForRule fills its own settings only.
        Assert.Equal(0.05, new ThresholdBoxOptions().ForRule(GradientGraphs.Building.AttributionMethod.Guided).BoxSigma);
        Assert.Equal(0.05, ((ThresholdBoxLocaliser)new ThresholdBoxLocaliser(new()).ForRule(GradientGraphs.Building.AttributionMethod.Guided)).Options.BoxSigma);
        Assert.Equal(new PaperOptions(), ((PaperLocaliser)new PaperLocaliser(new()).ForRule(GradientGraphs.Building.AttributionMethod.Guided)).Options);
    }

    [Fact]
    public void Mass_box_holds_the_central_mass_and_ignores_far_speckle()
    {
        // Uniform mass in columns 10..19 and rows 5..9 of a 40x20 map. With 5% tails the box keeps
        // the columns whose cumulative share lies in (0.05, 0.95): 10..19 holds 10% per column, so
        // column 10 (0..0.1) starts it and column 19 (0.9..1.0) ends it, hand-computed; a far
        // speckle of 1% of the mass does not move it.
        int w = 40, h = 20;
        var map = new float[w * h];
        for (int y = 5; y <= 9; y++) for (int x = 10; x <= 19; x++) map[y * w + x] = 1;
        map[19 * w + 39] = 0.5f;
        using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.All(0));
        var located = new MassBoxLocaliser(new() { BoxSigma = 0, MassPower = 1 }).Locate(image, map);
        Assert.Equal(new Box(10, 5, 19, 9), located.Box);
    }

    [Fact]
    public void Colour_gmm_is_deterministic_and_prefers_its_own_colours()
    {
        var random = new Random(1);
        var reds = Enumerable.Range(0, 500).Select(_ => ((byte)random.Next(0, 40), (byte)random.Next(0, 40), (byte)random.Next(200, 255))).ToList();
        var blues = Enumerable.Range(0, 500).Select(_ => ((byte)random.Next(200, 255), (byte)random.Next(0, 60), (byte)random.Next(0, 40))).ToList();
        var red = ColorGmm.Fit(reds);
        var again = ColorGmm.Fit(reds);
        var blue = ColorGmm.Fit(blues);
        Assert.Equal(red.LogLikelihood(20, 20, 230), again.LogLikelihood(20, 20, 230));
        Assert.True(red.LogLikelihood(20, 20, 230) > blue.LogLikelihood(20, 20, 230));
        Assert.True(blue.LogLikelihood(230, 30, 20) > red.LogLikelihood(230, 30, 20));
    }

    [Theory]
    [InlineData("mass-box")]
    [InlineData("threshold-box")]
    [InlineData("paper")]
    [InlineData("quantile-box")]
    [InlineData("whole")]
    public void Every_method_the_README_names_is_found_by_its_name(string method)
        => Assert.Equal(method, Localiser.Named(method).Name);

    [Fact]
    public void An_unknown_method_is_a_usage_error_naming_it()
        => Assert.Contains("'blob'", Assert.Throws<UsageException>(() => Localiser.Named("blob")).Message);

    [Fact]
    public void Settings_given_for_the_gradient_rule_stay_and_open_ones_take_its_defaults()
    {
        var set = new MassBoxOptions { BoxSigma = 0.1, MassPower = 3 };
        Assert.Equal((0.1, 3.0), (set.ForRule(GradientGraphs.Building.AttributionMethod.Gradient).BoxSigma, set.ForRule(GradientGraphs.Building.AttributionMethod.Gradient).MassPower));
        Assert.Equal((0.1, 3.0), (set.BoxSigmaValue, set.MassPowerValue));
        Assert.Equal((0.02, 2.0), (new MassBoxOptions().BoxSigmaValue, new MassBoxOptions().MassPowerValue));
    }

    [Fact]
    public void Mass_box_leaves_exactly_the_tail_outside_on_each_side_above_the_maps_floor()
    {
        // A 40x40 map on a floor of 3 with excess 1 on columns and rows 10..29: each of those 20 columns holds
        // exactly 5% of the mass above the floor. Column 10 brings the cumulative share to 5%, not past it, and
        // column 29 holds the last 5%: with 5% tails the box is 11..28 on both axes, symmetric.
        int w = 40, h = 40;
        var map = Enumerable.Repeat(3f, w * h).ToArray();
        for (int y = 10; y <= 29; y++) for (int x = 10; x <= 29; x++) map[y * w + x] = 4;
        using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.All(0));
        var located = new MassBoxLocaliser(new() { BoxSigma = 0, MassPower = 1, MassTail = 0.05 }).Locate(image, map);
        Assert.Equal(new Box(11, 11, 28, 28), located.Box);
        // Tail 0: every column with mass is kept.
        Assert.Equal(new Box(10, 10, 29, 29), new MassBoxLocaliser(new() { BoxSigma = 0, MassPower = 1, MassTail = 0 }).Locate(image, map).Box);
    }

    [Fact]
    public void Threshold_box_cuts_at_a_fraction_of_the_range_above_the_minimum()
    {
        // The 40x20 scene of the test above on a floor of 2 with twice the range: block 4, small block 3.2 (0.6 of
        // the range), background 2. Threshold 0.7 cuts at 2 + 0.7 * 2 = 3.4: the large block only; 0.5 cuts at 3:
        // both. Threshold 0 keeps every pixel: the whole image.
        int w = 40, h = 20;
        var map = Enumerable.Repeat(2f, w * h).ToArray();
        for (int y = 5; y <= 9; y++) for (int x = 10; x <= 19; x++) map[y * w + x] = 4;
        for (int y = 14; y <= 16; y++) for (int x = 30; x <= 32; x++) map[y * w + x] = 3.2f;
        using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.All(0));
        var options = new ThresholdBoxOptions { BoxSigma = 0, AllRegions = true };
        Assert.Equal(new Box(10, 5, 19, 9), new ThresholdBoxLocaliser(options with { Threshold = 0.7 }).Locate(image, map).Box);
        Assert.Equal(new Box(10, 5, 32, 16), new ThresholdBoxLocaliser(options with { Threshold = 0.5 }).Locate(image, map).Box);
        Assert.Equal(Box.Whole(w, h), new ThresholdBoxLocaliser(options with { Threshold = 0 }).Locate(image, map).Box);
    }

    [Fact]
    public void Quantile_box_keeps_the_pixels_at_or_above_the_quantile_and_never_zeros()
    {
        // A 10x10 ramp 0..99: the 0.95 quantile by nearest rank is value round(0.95 * 99) = 94, pixels 94..99 of the
        // last row; the 1.0 quantile is the maximum, pixel 99.
        using var image = new Mat(10, 10, MatType.CV_8UC3, Scalar.All(0));
        var ramp = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        Assert.Equal(new Box(4, 9, 9, 9), new QuantileBoxLocaliser(new() { ForegroundQuantile = 0.95 }).Locate(image, ramp).Box);
        Assert.Equal(new Box(9, 9, 9, 9), new QuantileBoxLocaliser(new() { ForegroundQuantile = 1 }).Locate(image, ramp).Box);
        // 97 zeros and three salient pixels: the quantile is 0, and zeros are not salient: the box of the three.
        var sparse = new float[100];
        sparse[2 * 10 + 3] = 1; sparse[5 * 10 + 6] = 2; sparse[4 * 10 + 1] = 0.5f;
        Assert.Equal(new Box(1, 2, 6, 5), new QuantileBoxLocaliser(new() { ForegroundQuantile = 0.95 }).Locate(image, sparse).Box);
    }
}
