using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Tests;

/// <summary>`Pipeline bench` prints its figures consistently and refuses options out of range (timings are never asserted).</summary>
public class BenchTests
{
    private static readonly string MobileNet = CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx");

    [Fact]
    public void Bench_prints_each_ratio_as_the_quotient_of_the_times_it_prints()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--batch", "1", "--classes", "1,2",
            "--threads", "1", "--runs", "1", "--crops", "2", "--stage-classes", "2", "--clock", "cpu");

        Assert.True(code == 0, stderr);
        var row = stdout.Split('\n').Single(l => Regex.IsMatch(l, @"^\s+1\s"));
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        // batch, forward, then (time, ratio) per K
        Assert.Equal(6, cells.Length);
        // The times are printed to 4 decimals (a few percent of a 4 ms forward), the ratios from the unrounded times.
        Assert.InRange(cells[2] / cells[1], cells[3] * 0.97 - 0.01, cells[3] * 1.03 + 0.01);
        Assert.InRange(cells[4] / cells[1], cells[5] * 0.97 - 0.01, cells[5] * 1.03 + 0.01);
        var stage = Regex.Match(stdout, @"saliency stage per image \(2 crops, K=2, cpu, 1 threads, 1 image at once, CPU seconds\): ([\d.]+) = ([\d.]+) forward passes of the 2 crops \(([\d.]+) each\)");
        Assert.True(stage.Success, stdout);
        double total = double.Parse(stage.Groups[1].Value, CultureInfo.InvariantCulture), forwards = double.Parse(stage.Groups[2].Value, CultureInfo.InvariantCulture);
        double forward = double.Parse(stage.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.InRange(total / forward, forwards * 0.97 - 0.1, forwards * 1.03 + 0.1);
        // A ranking forward plus a gradient model's forward and backward cost more than two forwards.
        Assert.True(forwards > 2, stdout);
    }

    [Fact]
    public void Stage_only_prints_the_stage_and_the_peak_memory_alone()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--stage-only", "--threads", "1", "--runs", "1", "--crops", "1", "--stage-classes", "1");

        Assert.True(code == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("saliency stage per image (1 crops, K=1", lines[0]);
        Assert.Matches(@"^peak memory of this process: \d+ MB$", lines[1]);
    }

    [Fact]
    public void Stage_with_images_at_once_names_them_and_prints_a_ratio_of_its_own_times()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--stage-only", "--threads", "2", "--runs", "1", "--crops", "1",
            "--stage-classes", "1", "--parallel-images", "2");

        Assert.True(code == 0, stderr);
        var stage = Regex.Match(stdout, @"saliency stage per image \(1 crops, K=1, cpu, 2 threads, 2 images at once, seconds\): ([\d.]+) = ([\d.]+) forward passes of the 1 crops \(([\d.]+) each\)");
        Assert.True(stage.Success, stdout);
        // Times depend on what else the machine runs (these tests run side by side); the printed ratio must be theirs.
        double total = double.Parse(stage.Groups[1].Value, CultureInfo.InvariantCulture), forwards = double.Parse(stage.Groups[2].Value, CultureInfo.InvariantCulture);
        double forward = double.Parse(stage.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.True(total > 0 && forward > 0, stdout);
        Assert.InRange(total / forward, forwards * 0.97 - 0.1, forwards * 1.03 + 0.1);
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "2,x")]
    [InlineData("--classes", "257")]
    [InlineData("--stage-classes", "300")]
    [InlineData("--parallel-images", "0")]
    [InlineData("--parallel-images", "65")]
    [InlineData("--threads", "0")]
    [InlineData("--runs", "0")]
    [InlineData("--crops", "11")]
    [InlineData("--clock", "sundial")]
    public void Bench_refuses_an_option_out_of_range_with_exit_code_2(string option, string value)
    {
        var (code, _, stderr) = CommandLine.Run("bench", "--model", MobileNet, option, value);

        Assert.Equal(2, code);
        Assert.Contains(option == "--clock" ? value : option, stderr);
    }

    [Theory]
    [InlineData("--batch", "64", "--classes", "5", "--batch x --classes = 320")]
    [InlineData("--crops", "10", "--stage-classes", "30", "--crops x --stage-classes x --parallel-images = 300")]
    [InlineData("--parallel-images", "6", "--crops", "10", "--crops x --stage-classes x --parallel-images = 300")]
    public void Bench_refuses_a_gradient_pass_too_large_for_memory_before_building_anything(string option, string value, string other, string otherValue, string named)
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, option, value, other, otherValue);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(named, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Bench_names_a_model_path_that_is_a_folder_or_empty_in_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        try
        {
            var empty = Path.Combine(dir, "empty.onnx");
            File.WriteAllBytes(empty, []);
            foreach (var (path, reason) in new[] { (dir, "a folder, not a regular file"), (empty, "empty file, not an ONNX model") })
            {
                var (code, _, stderr) = CommandLine.Run("bench", "--model", path);
                Assert.Equal(1, code);
                Assert.Equal($"error: {path}: {reason}", stderr.Trim());
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
