using OpenCvSharp;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Outputs;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// Images more than 1.75 times as long as wide: the paper's 10 crops left two patches no crop saw,
/// averaged to 0. Their maps now have a value at every pixel, from the model and through the CLI.
/// </summary>
[Trait("Category", "Slow")] // runs of large elongated images with their added crops; README "fast loop" leaves it out
public class ElongatedImageTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-elongated-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Uniform noise: the gradient is nonzero wherever a crop sees the image.</summary>
    private string Noise(int width, int height)
    {
        var path = Path.Combine(_dir, "img", $"noise_{width}x{height}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[width * height * 3];
        new Random(width * 7919 + height).NextBytes(bytes);
        using var plane = new Mat(height, width * 3, MatType.CV_8UC1);
        plane.SetArray(bytes);
        using var image = plane.Reshape(3, height);
        Cv2.ImWrite(path, image);
        return path;
    }

    [Theory]
    [InlineData(1024, 512, 14)]
    [InlineData(1500, 450, 14)]
    [InlineData(512, 929, 14)]
    [InlineData(600, 450, 10)]
    public void Every_pixel_of_every_map_has_a_value(int width, int height, int crops)
    {
        var path = Noise(width, height);
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        var card = runner.Info.StoredCard!;
        Assert.Equal(crops, CropLayout.For(new Size(width, height), card, 10).Crops.Count);
        // 6 classes: one pass at 10 crops, two (4 and 2 classes) at 14.
        var settings = new ExplainSettings(10, 6, new WholeImageLocaliser(), 2048, 100_000_000);
        using var result = new ImageExplainer(runner, card, settings).Explain(path);
        var maps = result.Top.Select(r => r.Map).ToList();
        Assert.Equal(6, maps.Count);
        Assert.All(maps, map =>
        {
            Assert.Equal(width * height, map.Length);
            Assert.Equal(0, map.Count(v => !(v > 0)));
        });
    }

    [Fact]
    public void A_map_cached_before_the_gaps_were_covered_is_not_reused_for_an_elongated_image()
    {
        var path = Noise(1024, 512);
        var settings = new ExplainSettings(10, 5, new WholeImageLocaliser(), 1024, 100_000_000);
        var cache = new MapCache(Path.Combine(_dir, "cache"), "model", "card", settings, 1000);
        // Images the 10 crops cover keep their keys (their maps are unchanged); 14 crops get another.
        var ten = cache.KeyFor(path, 10);
        Assert.Matches("^[0-9a-f]{16}/[0-9a-f]{64}$", ten);
        Assert.Equal(ten + "-14crops", cache.KeyFor(path, 14));
    }

    [Fact]
    public void Run_writes_npy_maps_with_no_block_of_zeros()
    {
        Noise(1024, 512);
        Noise(1500, 450);
        var outDir = Path.Combine(_dir, "out");
        var (code, _, stderr) = CommandLine.Run("run", "--model", model.Model, "--images", Path.Combine(_dir, "img"), "--out", outDir, "--save-npy", "--no-report");
        Assert.True(code == 0, stderr);
        var files = Directory.GetFiles(Path.Combine(outDir, "npy", "top1"), "*.npy", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        foreach (var file in files)
        {
            // Min-max normalised: 0 where the map is least, which a patch no crop saw made a block of
            // about a hundred pixels at 224x224; a map with a value everywhere has its minimum at one or two.
            var zeros = NpyFile.Read(file).Values.Count(v => v == 0);
            Assert.True(zeros is >= 1 and <= 3, $"{file}: {zeros} zeros");
        }
    }
}
