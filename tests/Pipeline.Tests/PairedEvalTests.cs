using System.Text.Json;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>
/// `eval --per-image` and `eval --against`: each image's d values and the image-by-image comparison of
/// two prediction files, on cases scored by hand. McNemar's exact p worked by hand: with b and c images
/// wrong in only one of the two, p = 2 * sum_{i <= min(b, c)} C(b + c, i) / 2^(b + c), at most 1.
/// </summary>
public class PairedEvalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-paired-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0, 0, 1.0)]
    [InlineData(0, 5, 2.0 / 32)]                 // 2 * C(5,0) / 2^5
    [InlineData(1, 6, 2.0 * (1 + 7) / 128)]      // 2 * (C(7,0) + C(7,1)) / 2^7
    [InlineData(9, 1, 2.0 * (1 + 10) / 1024)]
    [InlineData(3, 3, 1.0)]                      // the doubled tail passes 1
    [InlineData(2, 4, 2.0 * (1 + 6 + 15) / 64)]
    public void McNemars_exact_p_is_the_doubled_binomial_tail(int b, int c, double expected) =>
        Assert.Equal(expected, PairedComparison.ExactP(b, c), 12);

    [Fact]
    public void The_difference_counts_only_the_images_one_of_the_two_gets_wrong()
    {
        // 10 images: 2 wrong in both, 1 wrong in the first only, 4 in the second only, 3 right in both.
        var pairs = new[] { (1, 1), (1, 1), (1, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 0), (0, 0), (0, 0) };
        var c = PairedComparison.Of("e", pairs);
        Assert.Equal((10, 1, 4), (c.Images, c.OnlyFirstWrong, c.OnlySecondWrong));
        Assert.Equal(-0.3, c.Difference, 12);  // 30% against 60%
        // Variance of the mean paired difference: ((b + c) - (b - c)^2 / n) / n^2 = (5 - 0.9) / 100.
        double half = 1.96 * Math.Sqrt(4.1) / 10;
        Assert.Equal(-0.3 - half, c.Low, 12);
        Assert.Equal(-0.3 + half, c.High, 12);
        Assert.Equal(2.0 * (1 + 5) / 32, c.PValue, 12);
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Eval_writes_each_images_errors_and_compares_two_runs_image_by_image()
    {
        var truth = Write("truth.csv", "ImageId,PredictionString", "a,n1 0 0 9 9", "b,n2 0 0 9 9", "c,n3 0 0 9 9", "d,n4 0 0 9 9");
        // First: a right, b right class with a bad box (IoU 0.25), c right second guess, d no prediction.
        var first = Write("one/loc.csv", "ImageId,PredictionString", "a,n1 0 0 9 9", "b,n2 0 0 4 4", "c,n9 0 0 9 9 n3 0 0 9 9");
        // Second: a wrong class, b right, c right first, d right.
        var second = Write("two/loc.csv", "ImageId,PredictionString", "a,n9 0 0 9 9", "b,n2 0 0 9 9", "c,n3 0 0 9 9", "d,n4 0 0 9 9");
        var perImage = Path.Combine(_dir, "per-image.csv");
        var json = Path.Combine(_dir, "scores.json");
        var (code, stdout, stderr) = CommandLine.Run("eval", "--pred", first, "--truth", truth, "--per-image", perImage, "--against", second, "--json", json);
        Assert.True(code == 0, stderr);
        // d has predictions in the second only: said in one line, as a difference of coverage.
        Assert.Equal($"warning: {second}: 1 of 4 images have predictions in only one of --pred and --against; the comparison counts them as wrong where missing", stderr.Trim());
        Assert.Equal([ImageScore.Header, "a,0,0,0,0,", "b,1,1,0,0,", "c,1,0,1,0,", "d,1,1,1,1,"], File.ReadAllLines(perImage));
        // Top-5 localisation: first wrong on b and d, second on a: 1 image the second only, 2 the first only.
        Assert.Contains("top-5 localisation error    +25.0 points", stdout);
        Assert.Contains($"wrong in --pred only 2, in --against only 1, McNemar exact p = {1.0:0.0000}", stdout);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(0.5, root.GetProperty("top5LocalisationError").GetDouble(), 12); // the score keeps its place
        var top1 = root.GetProperty("paired")[0];
        Assert.Equal("top-1 localisation error", top1.GetProperty("error").GetString());
        // Top-1 localisation: first wrong on b, c, d; second on a: 3 against 1.
        Assert.Equal((3, 1), (top1.GetProperty("onlyFirstWrong").GetInt32(), top1.GetProperty("onlySecondWrong").GetInt32()));
        Assert.Equal(2.0 * (1 + 4) / 16, top1.GetProperty("pValue").GetDouble(), 12);

        // The same images predicted on both sides: no warning.
        var third = Write("three/loc.csv", "ImageId,PredictionString", "a,n9 0 0 9 9", "b,n2 0 0 9 9", "c,n3 0 0 9 9");
        (code, _, stderr) = CommandLine.Run("eval", "--pred", first, "--truth", truth, "--against", third);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr.Trim());
    }

    [Theory]
    [InlineData("--against", "/nonexistent/loc.csv", "/nonexistent/loc.csv: no such file", 1)]
    [InlineData("--per-image", "/nonexistent/dir/errors.csv", "--per-image /nonexistent/dir/errors.csv: its folder /nonexistent/dir does not exist", 2)]
    [InlineData("--json", "/nonexistent/dir/scores.json", "--json /nonexistent/dir/scores.json: its folder /nonexistent/dir does not exist", 2)]
    public void Eval_checks_its_other_files_before_printing_any_score(string option, string path, string message, int exitCode)
    {
        var truth = Write("truth.csv", "ImageId,PredictionString", "a,n1 0 0 9 9");
        var pred = Write("one/loc.csv", "ImageId,PredictionString", "a,n1 0 0 9 9");
        var (code, stdout, stderr) = CommandLine.Run("eval", "--pred", pred, "--truth", truth, option, path);
        Assert.Equal(exitCode, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, Assert.Single(stderr.Trim().Split('\n')));
    }

    [Theory]
    [InlineData("--against", "is --pred itself")]
    [InlineData("--maxboxacc-against", "--against is for --protocol ilsvrc")]
    [InlineData("--per-image", "--per-image")]
    [InlineData("--json", "--json")]
    public void Eval_refuses_a_comparison_it_cannot_make(string which, string message)
    {
        var truth = Write("truth.csv", "ImageId,PredictionString", "a,n1 0 0 9 9");
        var pred = Write("one/loc.csv", "ImageId,PredictionString", "a,n1 0 0 9 9");
        string[] args = which switch
        {
            "--against" => ["eval", "--pred", pred, "--truth", truth, "--against", pred],
            "--maxboxacc-against" => ["eval", "--protocol", "maxboxacc", "--maps", _dir, "--truth", truth, "--against", pred],
            _ => ["eval", "--pred", pred, "--truth", truth, which, pred], // an output naming the predictions
        };
        var before = File.ReadAllText(pred);
        var (code, _, stderr) = CommandLine.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        if (which is "--per-image" or "--json")
        {
            Assert.Contains($"{which} {pred} is --pred itself", stderr);
            Assert.Equal(before, File.ReadAllText(pred));
        }
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
