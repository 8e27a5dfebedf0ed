using OpenCvSharp;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// Integrated Gradients against its own independent truth, completeness: the attributions sum to
/// score(x) - score(baseline), both scores from the forward pass alone.
/// </summary>
public class IntegratedGradientsTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    [Fact]
    public void Attributions_sum_to_the_score_difference_from_the_black_baseline()
    {
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        var card = runner.Info.StoredCard!;
        using var parrot = Cv2.ImRead(CommandLine.Shared("data", "photos", "parrot.jpg"));
        using var crop = parrot.Resize(new Size(224, 224), 0, 0, InterpolationFlags.Area);
        var tensor = new float[3 * 224 * 224];
        Preprocessing.ToTensor(crop, card.Pixels, tensor);
        var baseline = IntegratedGradientsMethod.Baseline(card.Pixels, 224 * 224);
        var scores = runner.Scores(tensor, 1);
        var baselineScores = runner.Scores(baseline, 1);
        // The two best classes, as run explains them.
        long[] classes = scores.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(2).Select(p => (long)p.i).ToArray();

        double Error(int steps, int k)
        {
            var attributions = new IntegratedGradientsMethod(steps).Attributions(runner, tensor, classes, baseline)[k];
            double difference = scores[classes[k]] - baselineScores[classes[k]];
            return Math.Abs(attributions.Sum(a => (double)a) - difference) / Math.Abs(difference);
        }

        // The paper's own check: under 5% is a sound approximation of the path integral.
        var (top, second, coarse) = (Error(64, 0), Error(64, 1), Error(2, 0));
        Assert.True(top < 0.05, $"top class: completeness error {top:P1}");
        Assert.True(second < 0.05, $"second class: completeness error {second:P1}");
        Assert.True(top < coarse, $"more steps should approach the integral: {top:P1} at 64 steps, {coarse:P1} at 2");
    }

    [Fact]
    public void Run_takes_it_by_name_and_its_maps_are_not_the_saliency_maps()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-ig-").FullName;
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(images, "parrot.jpg"));
        string[] Run(string map)
        {
            var output = Path.Combine(dir, map);
            var (code, _, stderr) = CommandLine.Run("run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1",
                "--device", "cpu", "--quiet", "--map", map, "--top", "1", "--save-npy");
            Assert.True(code == 0, stderr);
            Assert.Contains($"\"--map\": \"{map}\"", File.ReadAllText(Path.Combine(output, "run-state.json")));
            return File.ReadAllLines(Path.Combine(output, "loc.csv"));
        }
        var ig = Run("integrated-gradients");
        Assert.Equal(2, ig.Length);
        var npy = Path.Combine(dir, "integrated-gradients", "npy", "top1", "images", "parrot.jpg.npy");
        Assert.True(File.Exists(npy));
        Directory.Delete(dir, recursive: true);
    }
}
