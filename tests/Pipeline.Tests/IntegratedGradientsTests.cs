using System.Globalization;
using System.Text.Json;
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
        var baseline = IntegratedGradientsBaseline.Black.For(tensor, 224, card.Pixels);
        var scores = runner.Scores(tensor, 1);
        var baselineScores = runner.Scores(baseline, 1);
        // The two best classes, as run explains them.
        long[] classes = scores.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(2).Select(p => (long)p.i).ToArray();

        double Error(int steps, int k)
        {
            var attributions = new IntegratedGradientsMethod(steps, rule: PathRule.Midpoint).Attributions(runner, tensor, classes, baseline)[k];
            double difference = scores[classes[k]] - baselineScores[classes[k]];
            return Math.Abs(attributions.Sum(a => (double)a) - difference) / Math.Abs(difference);
        }

        // The paper's own check: under 5% is a sound approximation of the path integral.
        var (top, second, coarse) = (Error(64, 0), Error(64, 1), Error(2, 0));
        Assert.True(top < 0.05, $"top class: completeness error {top:P1}");
        Assert.True(second < 0.05, $"second class: completeness error {second:P1}");
        Assert.True(top < coarse, $"more steps should approach the integral: {top:P1} at 64 steps, {coarse:P1} at 2");
    }

    /// <summary>A temporary folder holding images/parrot.jpg (the caller deletes it).</summary>
    private static (string Dir, string Images) ParrotFolder()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-ig-").FullName;
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(images, "parrot.jpg"));
        return (dir, images);
    }

    [Fact]
    public void Run_writes_each_images_completeness_its_summary_and_a_warning_over_five_percent()
    {
        var (dir, images) = ParrotFolder();
        string Run(string name, params string[] options)
        {
            var output = Path.Combine(dir, name);
            var (code, _, stderr) = CommandLine.Run(["run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1",
                "--device", "cpu", "--quiet", "--map", "integrated-gradients", "--top", "2", "--save-npy", .. options]);
            Assert.True(code == 0, stderr);
            return output;
        }
        var blur = Run("blur", "--ig-baseline", "blur", "--ig-steps", "32");
        Assert.Contains("\"--map settings\": \"blur baseline, 32 steps, gauss-legendre rule\"", File.ReadAllText(Path.Combine(blur, "run-state.json")));
        Assert.True(File.Exists(Path.Combine(blur, "npy", "top1", "images", "parrot.jpg.npy")));
        var rows = File.ReadAllLines(Path.Combine(blur, "completeness", "images", "parrot.csv"));
        Assert.Equal("image,rank,wnid,score_difference,attribution_sum,error", rows[0]);
        Assert.Equal(3, rows.Length);
        var predictions = File.ReadAllLines(Path.Combine(blur, "predictions.csv"));
        for (int r = 1; r <= 2; r++)
        {
            var f = rows[r].Split(',');
            Assert.Equal(["parrot", $"{r}", predictions[r].Split(',')[2]], f[..3]);
            double difference = double.Parse(f[3], CultureInfo.InvariantCulture), sum = double.Parse(f[4], CultureInfo.InvariantCulture);
            Assert.Equal(Math.Abs(sum - difference) / Math.Abs(difference), double.Parse(f[5], CultureInfo.InvariantCulture), 3);
        }
        Assert.Equal(rows, File.ReadAllLines(Path.Combine(blur, "completeness", "completeness.csv")));
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(blur, "run.json"))))
        {
            var summary = report.RootElement.GetProperty("completeness");
            Assert.Equal(2, summary.GetProperty("imageClasses").GetInt32());
            Assert.Equal(1, summary.GetProperty("images").GetInt32());
            var errors = rows.Skip(1).Select(r => double.Parse(r.Split(',')[5], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(errors.Max(), summary.GetProperty("largestError").GetDouble(), 5);
            Assert.Equal(errors.Count(e => e > 0.05), summary.GetProperty("overSound").GetInt32());
        }

        // One step is a poor integral: the image is marked with a warning row in errors.csv.
        var coarse = Run("coarse", "--ig-steps", "1");
        Assert.Contains("\"--map settings\": \"black baseline, 1 step, gauss-legendre rule\"", File.ReadAllText(Path.Combine(coarse, "run-state.json")));
        var coarseErrors = File.ReadAllLines(Path.Combine(coarse, "completeness", "completeness.csv")).Skip(1)
            .Select(r => double.Parse(r.Split(',')[5], CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(coarseErrors, e => e > 0.05);
        var warning = Assert.Single(File.ReadAllLines(Path.Combine(coarse, "errors.csv")).Skip(1));
        Assert.Contains("warning", warning);
        Assert.Contains("completeness error over 5%", warning);
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(coarse, "run.json"))))
            Assert.Equal(1, report.RootElement.GetProperty("warnings").GetInt32());
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_folder_of_the_midpoint_default_is_not_continued_with_gauss_legendre_and_the_refusal_says_how_to_continue_it()
    {
        var (dir, images) = ParrotFolder();
        var output = Path.Combine(dir, "out");
        (int, string, string) Run(params string[] options) => CommandLine.Run(["run", "--model", model.Model, "--images", images, "--out", output,
            "--crops", "1", "--device", "cpu", "--quiet", "--map", "integrated-gradients", "--top", "1", .. options]);
        // The first version's defaults (black, 32 midpoints) write no settings: such a folder is what earlier runs left.
        var (code, _, stderr) = Run("--ig-rule", "midpoint");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("--map settings", File.ReadAllText(Path.Combine(output, "run-state.json")));
        (code, _, stderr) = Run();
        Assert.Equal(2, code);
        Assert.Contains("holds a run with another --map settings (it was made with the midpoint rule before --ig-rule existed: --ig-rule midpoint continues it)", stderr);
        (code, _, stderr) = Run("--ig-rule", "midpoint");
        Assert.True(code == 0, stderr);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Merge_joins_the_shards_completeness_and_summarises_it_again()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-ig-").FullName;
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        foreach (var name in new[] { "parrot.jpg", "dog.jpg" })
            File.Copy(CommandLine.Shared("data", "photos", name), Path.Combine(images, name));
        var shards = new[] { "0/2", "1/2" }.Select((shard, i) =>
        {
            var output = Path.Combine(dir, $"shard{i}");
            var (code, _, stderr) = CommandLine.Run("run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1",
                "--device", "cpu", "--quiet", "--map", "integrated-gradients", "--ig-steps", "2", "--top", "1", "--shard", shard);
            Assert.True(code == 0, stderr);
            return output;
        }).ToArray();
        var merged = Path.Combine(dir, "merged");
        var (mergeCode, _, mergeErr) = CommandLine.Run(["merge", "--out", merged, .. shards]);
        Assert.True(mergeCode == 0, mergeErr);
        var rows = File.ReadAllLines(Path.Combine(merged, "completeness", "completeness.csv"));
        Assert.Equal(["dog", "parrot"], rows.Skip(1).Select(r => r.Split(',')[0]));
        var shardRows = shards.SelectMany(s => File.ReadAllLines(Path.Combine(s, "completeness", "completeness.csv")).Skip(1)).Order(StringComparer.Ordinal);
        Assert.Equal(shardRows, rows.Skip(1));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(merged, "run.json")));
        Assert.Equal(2, report.RootElement.GetProperty("completeness").GetProperty("images").GetInt32());
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("--ig-steps 0", "--ig-steps 0: expected 1 to 1024")]
    [InlineData("--ig-steps 1025", "--ig-steps 1025: expected 1 to 1024")]
    [InlineData("--ig-baseline fog", "--ig-baseline 'fog': expected black, blur or noise")]
    [InlineData("--map saliency --ig-steps 8", "--ig-steps goes with --map integrated-gradients, not --map saliency")]
    [InlineData("--ig-rule trapezoid", "--ig-rule 'trapezoid': expected midpoint or gauss-legendre")]
    [InlineData("--map saliency --ig-rule midpoint", "--ig-rule goes with --map integrated-gradients, not --map saliency")]
    public void Its_options_are_range_checked_and_refused_with_another_map(string options, string message)
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-ig-").FullName;
        var args = options.Split(' ');
        var map = args.Contains("--map") ? [] : new[] { "--map", "integrated-gradients" };
        var (code, _, stderr) = CommandLine.Run(["run", "--model", model.Model, "--images", CommandLine.Shared("data", "photos"), "--out", dir, .. map, .. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Directory.Delete(dir, recursive: true);
    }
}
