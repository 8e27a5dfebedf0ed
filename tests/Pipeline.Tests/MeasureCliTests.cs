using System.Globalization;
using Pipeline.Inference;
using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>
/// `Pipeline measure` end to end on a MobileNetV2 run of two dev images (one crop, saliency maps, --save-npy
/// --truth), its files read back and checked against themselves and the model; its refusals; and
/// `run`'s refusals of the forward-only methods' options.
/// </summary>
public class MeasureCliTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    private static readonly string Truth = CommandLine.Shared("data", "ilsvrc-dev", "LOC_val_solution.csv");

    private static string Images(string dir, int count = 2)
    {
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        foreach (var file in Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(count))
            File.Copy(file, Path.Combine(images, Path.GetFileName(file)));
        return images;
    }

    private string Run(string dir, string images, params string[] extra)
    {
        var output = Path.Combine(dir, "run");
        var (code, _, stderr) = CommandLine.Run(["run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1", "--top", "1",
            "--device", "cpu", "--threads", "2", "--quiet", .. extra]);
        Assert.True(code == 0, stderr);
        return output;
    }

    private static void AssertUsage((int Code, string Stdout, string Stderr) result, string expected)
    {
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Measure_writes_areas_that_its_curves_give_and_curves_that_end_where_the_model_says()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-measure-").FullName;
        var images = Images(dir);
        var run = Run(dir, images, "--save-npy", "--truth", Truth);
        var (code, stdout, stderr) = CommandLine.Run("measure", "--run", run, "--images", images, "--steps", "8", "--device", "cpu", "--threads", "2", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.Contains("pointing game", stdout);

        var table = File.ReadAllLines(Path.Combine(run, MeasureFiles.Table));
        Assert.Equal("image,wnid,probability,deletion_auc,insertion_auc,pointing,pointing_x,pointing_y", table[0]);
        Assert.Equal(3, table.Length);
        var curves = File.ReadAllLines(Path.Combine(run, MeasureFiles.Curves)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(2 * 2 * 9, curves.Count);
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        // The model's probabilities for a blank (all-zero) input: where every deletion curve ends.
        var blank = Inference.ClassProbabilities.FromScores(runner.Scores(new float[3 * 224 * 224], 1), runner.OutputIsSoftmax);
        var classOf = runner.Info.StoredCard!.Classes.Select((c, i) => (c.Wnid, i)).ToDictionary(p => p.Wnid, p => p.i);
        var top1 = File.ReadAllLines(Path.Combine(run, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[2]);
        foreach (var row in table.Skip(1).Select(l => l.Split(',')))
        {
            string id = row[0];
            Assert.Equal(top1[id], row[1]);
            Assert.Contains(row[5], new[] { "hit", "miss" });
            foreach (var (name, column) in new[] { ("deletion", 3), ("insertion", 4) })
            {
                var points = curves.Where(c => c[0] == id && c[1] == name).Select(c => (F: double.Parse(c[3], CultureInfo.InvariantCulture), P: double.Parse(c[4], CultureInfo.InvariantCulture))).ToList();
                Assert.Equal(Enumerable.Range(0, 9).Select(k => k / 8.0), points.Select(p => p.F));
                double area = Enumerable.Range(0, 8).Sum(k => (points[k + 1].F - points[k].F) * (points[k].P + points[k + 1].P) / 2);
                Assert.Equal(area, double.Parse(row[column], CultureInfo.InvariantCulture), 9);
                // Deletion starts at the image (the probability in measures.csv) and ends at the blank input; insertion ends at the image.
                double probability = double.Parse(row[2], CultureInfo.InvariantCulture);
                if (name == "deletion")
                {
                    Assert.Equal(probability, points[0].P, 9);
                    Assert.Equal(blank[classOf[row[1]]], points[^1].P, 5);
                }
                else Assert.Equal(probability, points[^1].P, 5);
            }
        }
        Assert.Contains("\"journalSha256\"", File.ReadAllText(Path.Combine(run, MeasureFiles.Summary)));
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(run, MeasureFiles.Plot)));
        Assert.Contains($"src=\"{MeasureFiles.Plot}\"", File.ReadAllText(Path.Combine(run, "report.html")));

        // Once the run's journal changes, the report names the measures stale instead of showing them.
        File.AppendAllText(Path.Combine(run, RunArtifacts.JournalFile), "\n");
        HtmlReport.Write(run);
        var report = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.DoesNotContain($"src=\"{MeasureFiles.Plot}\"", report);
        Assert.Contains("earlier state of this run", report);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Measure_refuses_in_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-measure-bad-").FullName;
        var images = Images(dir, 1);
        var run = Run(dir, images);
        AssertUsage(CommandLine.Run("measure", "--run", run, "--images", images, "--steps", "1"), "--steps 1: expected 2 to 4096");
        var noNpy = CommandLine.Run("measure", "--run", run, "--images", images, "--device", "cpu");
        Assert.Equal(1, noNpy.ExitCode);
        Assert.Contains("no npy/top1 maps; run with --save-npy", noNpy.Stderr);
        Assert.Single(noNpy.Stderr.Trim().Split('\n'));
        var other = Images(Path.Combine(dir, "other"), 2);
        var wrongList = CommandLine.Run("measure", "--run", run, "--images", other, "--device", "cpu");
        Assert.Equal(1, wrongList.ExitCode);
        Assert.Contains("not the image list of the run", wrongList.Stderr);
        var wrongModel = CommandLine.Run("measure", "--run", run, "--images", images, "--model", CommandLine.Shared("models", "tiny_darknet.onnx"), "--device", "cpu");
        Assert.Equal(1, wrongModel.ExitCode);
        Assert.Contains("not the run's model", wrongModel.Stderr);
        var notRun = CommandLine.Run("measure", "--run", images, "--images", images);
        Assert.Equal(1, notRun.ExitCode);
        Assert.Contains("not a finished run folder", notRun.Stderr);
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("occlusion", "--occlusion-window", "0", "--occlusion-window 0: expected 1 to 8192")]
    [InlineData("occlusion", "--occlusion-stride", "33", "--occlusion-stride 33: expected 1 to 32 (a larger step leaves pixels no window covers)")]
    [InlineData("rise", "--rise-masks", "0", "--rise-masks 0: expected 1 to 100000")]
    [InlineData("rise", "--rise-cell", "0", "--rise-cell 0: expected 1 to 8192")]
    [InlineData("rise", "--rise-keep", "1", "--rise-keep 1: expected a value in (0, 1)")]
    [InlineData("rise", "--rise-keep", "0", "--rise-keep 0: expected a value in (0, 1)")]
    [InlineData("rise", "--rise-seed", "-1", "--rise-seed -1: expected 0 to 2147483647")]
    [InlineData("saliency", "--rise-cell", "8", "--rise-cell goes with --map rise, not --map saliency")]
    [InlineData("rise", "--occlusion-window", "8", "--occlusion-window goes with --map occlusion, not --map rise")]
    public void Run_refuses_forward_method_options_out_of_range_or_beside_another_map(string map, string option, string value, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-forward-bad-").FullName;
        AssertUsage(CommandLine.Run("run", "--model", model.Model, "--images", dir, "--out", Path.Combine(dir, "out"), "--map", map, option, value), expected);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_window_or_cell_larger_than_the_model_is_refused_and_settings_are_in_the_fingerprint()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-forward-run-").FullName;
        var images = Images(dir, 1);
        var output = Path.Combine(dir, "run");
        string[] Args(params string[] extra) => ["run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1", "--top", "1", "--device", "cpu", "--quiet", .. extra];
        AssertUsage(CommandLine.Run(Args("--map", "occlusion", "--occlusion-window", "225")), "--occlusion-window 225: at most the model's input side, 224");
        AssertUsage(CommandLine.Run(Args("--map", "rise", "--rise-cell", "300")), "--rise-cell 300: at most the model's input side, 224");
        // One window over the whole crop: two forward passes.
        var first = CommandLine.Run(Args("--map", "occlusion", "--occlusion-window", "224"));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("\"--map settings\": \"window 224 stride 112\"", File.ReadAllText(Path.Combine(output, RunArtifacts.StateFile)));
        var other = CommandLine.Run(Args("--map", "occlusion", "--occlusion-window", "224", "--occlusion-stride", "1"));
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("another --map settings", other.Stderr);
        Directory.Delete(dir, recursive: true);
    }
}
