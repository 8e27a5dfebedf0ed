using System.Text.Json;

namespace Pipeline.Tests;

/// <summary>
/// `eval` reads a devkit loc.txt (run --format devkit): lines in the order of --images, 1-based class
/// indices in the card's order (run.json beside the file) or --synsets'. Checked on a case scored by
/// hand, against the Kaggle output of the same run, and on the inputs it must refuse in one line.
/// </summary>
public class DevkitEvalTests(TinyDarknetFixture tiny) : IClassFixture<TinyDarknetFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-devkit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Images a, b, c (their contents are never read), three classes, and the truth.</summary>
    private (string Images, string Run, string Synsets, string Truth) HandCase(params string[] locLines)
    {
        var images = Path.Combine(_dir, "images");
        Directory.CreateDirectory(images);
        foreach (var id in new[] { "a", "b", "c" }) File.WriteAllText(Path.Combine(images, id + ".jpg"), "");
        var run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "loc.txt"), string.Concat(locLines.Select(l => l + "\n")));
        var synsets = Path.Combine(_dir, "synsets.txt");
        File.WriteAllLines(synsets, ["n001 one", "n002 two", "n003 three"]);
        var truth = Path.Combine(_dir, "truth.csv");
        File.WriteAllLines(truth, ["ImageId,PredictionString", "a,n001 0 0 9 9", "b,n002 0 0 9 9", "c,n002 0 0 9 9"]);
        return (images, run, synsets, truth);
    }

    private static JsonElement Scores(string json) => JsonDocument.Parse(File.ReadAllText(json)).RootElement;

    [Fact]
    public void A_hand_scored_devkit_file()
    {
        // a: class 1 (n001) on its box, right. b: not scored (empty line), an error at every k.
        // c: class 3 (n003) first, wrong; class 2 (n002) on its box second, right within the top 5.
        var (images, run, synsets, truth) = HandCase("1 0 0 9 9", "", "3 0 0 9 9 2 0 0 9 9");
        var json = Path.Combine(_dir, "scores.json");
        var (code, stdout, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(run, "loc.txt"), "--images", images, "--truth", truth, "--synsets", synsets, "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("3 (1 without predictions)", stdout);
        var s = Scores(json);
        Assert.Equal(2.0 / 3, s.GetProperty("top1LocalisationError").GetDouble(), 12);
        Assert.Equal(1.0 / 3, s.GetProperty("top5LocalisationError").GetDouble(), 12);
        Assert.Equal(2.0 / 3, s.GetProperty("top1ClassificationError").GetDouble(), 12);
        Assert.Equal(1.0 / 3, s.GetProperty("top5ClassificationError").GetDouble(), 12);
    }

    [Fact]
    public void The_card_beside_the_file_gives_the_class_order()
    {
        // In this card class 2 is n001: a's guess is right by the card, wrong by the synsets' order.
        var (images, run, synsets, truth) = HandCase("2 0 0 9 9", "", "");
        File.WriteAllText(Path.Combine(run, "run.json"), """{"card": {"classes": [{"wnid": "n003"}, {"wnid": "n001"}, {"wnid": "n002"}]}}""");
        var json = Path.Combine(_dir, "scores.json");
        var (code, _, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(run, "loc.txt"), "--images", images, "--truth", truth, "--synsets", synsets, "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Equal(2.0 / 3, Scores(json).GetProperty("top1LocalisationError").GetDouble(), 12);
    }

    [Theory]
    [InlineData(new[] { "1 0 0 9 9" }, false, 2, "--images")]
    [InlineData(new[] { "0 0 0 9 9" }, true, 1, "line 1 (a): class index '0' is not a whole number from 1 to 3")]
    [InlineData(new[] { "4 0 0 9 9" }, true, 1, "class index '4'")]
    [InlineData(new[] { "1 0 0 9" }, true, 1, "line 1 (a) has 4 numbers")]
    [InlineData(new[] { "1 5 0 4 9" }, true, 1, "xmax < xmin")]
    [InlineData(new[] { "1 0 0 9 9", "", "", "1 0 0 9 9" }, true, 1, "4 lines for the 3 images")]
    public void Bad_devkit_input_is_refused_in_one_line(string[] lines, bool giveImages, int exit, string reason)
    {
        var (images, run, synsets, truth) = HandCase(lines);
        string[] args = ["eval", "--pred", Path.Combine(run, "loc.txt"), "--truth", truth, "--synsets", synsets];
        var (code, _, stderr) = CommandLine.Run(giveImages ? [.. args, "--images", images] : args);
        Assert.Equal(exit, code);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("loc.txt", line);
        Assert.Contains(reason, line);
    }

    [Fact]
    public void Without_a_card_or_synsets_the_class_order_is_asked_for()
    {
        var (images, run, _, truth) = HandCase("1 0 0 9 9");
        var (code, _, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(run, "loc.txt"), "--images", images, "--truth", truth);
        Assert.Equal(1, code);
        Assert.Contains("--synsets", Assert.Single(stderr.Trim().Split('\n')));
    }

    /// <summary>One run in both formats scores the same; a devkit file read with another image list is refused.</summary>
    [Fact]
    public void A_devkit_run_scores_as_its_kaggle_twin()
    {
        var dev = CommandLine.Shared("data", "ilsvrc-dev");
        var list = Path.Combine(_dir, "list.txt");
        File.WriteAllText(Path.Combine(_dir, "broken.jpg"), "not a jpeg");
        File.WriteAllLines(list, [.. Directory.GetFiles(Path.Combine(dev, "images")).Order(StringComparer.Ordinal).Take(3), Path.Combine(_dir, "broken.jpg")]);
        var truth = Path.Combine(dev, "LOC_val_solution.csv");
        string Run(string format)
        {
            var output = Path.Combine(_dir, format);
            var (code, _, stderr) = CommandLine.Run("run", "--model", tiny.Model, "--images", list, "--out", output, "--crops", "1", "--device", "cpu", "--quiet", "--format", format);
            Assert.True(code == 0, stderr);
            return output;
        }
        var kaggle = CommandLine.Run("eval", "--pred", Path.Combine(Run("kaggle"), "loc.csv"), "--truth", truth);
        var devkitFile = Path.Combine(Run("devkit"), "loc.txt");
        Assert.Equal(4, File.ReadAllLines(devkitFile).Length);
        var devkit = CommandLine.Run("eval", "--pred", devkitFile, "--images", list, "--truth", truth);
        Assert.True(devkit.ExitCode == 0, devkit.Stderr);
        Assert.Equal(kaggle.Stdout, devkit.Stdout);

        var other = Path.Combine(_dir, "other.txt");
        File.WriteAllLines(other, Directory.GetFiles(Path.Combine(dev, "images")).Order(StringComparer.Ordinal).Skip(3).Take(4));
        var (code, _, stderr) = CommandLine.Run("eval", "--pred", devkitFile, "--images", other, "--truth", truth);
        Assert.Equal(1, code);
        Assert.Contains("not the image list of the run", Assert.Single(stderr.Trim().Split('\n')));
    }
}
