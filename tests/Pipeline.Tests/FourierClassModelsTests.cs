using Pipeline.Cards;
using Pipeline.ClassModels;
using Pipeline.Inference;

namespace Pipeline.Tests;

/// <summary>Class models in the Fourier parametrisation with transformation robustness: the class score climbs, the result is the class's on MobileNetV2, and the command's options are checked.</summary>
public class FourierClassModelsTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-fourier-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_class_score_climbs_on_a_small_smooth_model_and_a_seed_repeats_the_run()
    {
        using var runner = new GradientRunner(VisualiseTests.SmallSmoothGradientModel(), new DeviceChoice("cpu"), 1);
        var card = new ModelCard { InputSize = 8, ShorterSide = 8, Classes = [new("n1", "one"), new("n2", "two"), new("n3", "three")] };
        var settings = new FourierSettings { Steps = 40, Shift = 1, ScaleRange = 0.05, Degrees = 5, RecordEvery = 10 };
        var results = new FourierClassModels(runner, card).Run([0, 2], settings);
        foreach (var r in results)
        {
            Assert.Equal(5, r.Score.Length); // steps 0, 10, 20, 30, 40
            Assert.True(r.Score[^1] > r.Score[0] + 0.01, $"class {r.ClassIndex}: score {string.Join(", ", r.Score.Select(s => s.ToString("F4")))}");
        }
        var again = new FourierClassModels(runner, card).Run([0, 2], settings);
        Assert.Equal(results[1].Image, again[1].Image);
    }

    [Fact]
    public void On_mobilenet_the_image_becomes_its_class()
    {
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        var card = runner.Info.StoredCard!;
        int goose = card.Classes.FindIndex(c => c.Name.StartsWith("goose"));
        var result = new FourierClassModels(runner, card).Run([goose], new FourierSettings { Steps = 32 })[0];
        Assert.True(result.Score[^1] > result.Score[0] + 10, $"score {result.Score[0]:F2} -> {result.Score[^1]:F2}");
        var scores = runner.Scores(result.Image, 1);
        Assert.Equal(goose, Array.IndexOf(scores, scores.Max()));
        // The sigmoid keeps every pixel in range: MobileNetV2's input is pixel / 127.5 - 1.
        Assert.All(result.Image, x => Assert.InRange(x, -1f, 1f));
    }

    [Theory]
    [InlineData("--param", "gradient", "--param 'gradient': expected plain or fourier")]
    [InlineData("--param", "fourier", "--l2", "0.1", "--l2: not an option of --param fourier")]
    [InlineData("--param", "fourier", "--blur-every", "4", "--blur-every: not an option of --param fourier")]
    [InlineData("--rotate", "5", "--rotate: not an option of --param plain")]
    [InlineData("--scale-jitter", "0.1", "--scale-jitter: not an option of --param plain")]
    [InlineData("--param", "fourier", "--rotate", "181", "--rotate 181")]
    [InlineData("--param", "fourier", "--scale-jitter", "0.6", "--scale-jitter 0.6")]
    [InlineData("--param", "fourier", "--jitter", "65", "--jitter 65")]
    [InlineData("--seed", "-1", "--seed -1")]
    public void The_command_refuses_options_out_of_range_or_of_the_other_parametrisation(params string[] argsAndMessage)
    {
        string[] args = ["visualise", "--model", model.Model, "--class", "n01855672", "--out", Path.Combine(_dir, "refused"), "--device", "cpu", .. argsAndMessage[..^1]];
        var (code, _, stderr) = CommandLine.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(argsAndMessage[^1], stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    [Fact]
    public void The_command_writes_the_fourier_images()
    {
        var output = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CommandLine.Run("visualise", "--model", model.Model, "--class", "n01855672", "--out", output, "--param", "fourier", "--steps", "2", "--device", "cpu");
        Assert.True(code == 0, stderr);
        Assert.Contains("n01855672 goose: score", stdout);
        Assert.Contains("2 steps (fourier)", stdout);
        using var image = OpenCvSharp.Cv2.ImRead(Path.Combine(output, "n01855672.png"));
        Assert.Equal(224, image.Width);
    }
}
