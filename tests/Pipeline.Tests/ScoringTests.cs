using Pipeline.Localisation;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>The ILSVRC rules on cases computed by hand.</summary>
public class ScoringTests
{
    [Fact]
    public void IoU_uses_inclusive_pixel_areas()
    {
        // 10x10 boxes overlapping in 5 columns: 50 / (100 + 100 - 50).
        Assert.Equal(1.0 / 3, new Box(0, 0, 9, 9).IoU(new Box(5, 0, 14, 9)), 12);
        // A single shared pixel: 1 / (4 + 4 - 1).
        Assert.Equal(1.0 / 7, new Box(0, 0, 1, 1).IoU(new Box(1, 1, 2, 2)), 12);
        Assert.Equal(0, new Box(0, 0, 1, 1).IoU(new Box(2, 2, 3, 3)));
    }

    private static LabelledBox B(string wnid, int x0, int y0, int x1, int y1) => new(wnid, new Box(x0, y0, x1, y1));

    [Fact]
    public void Errors_follow_the_min_over_guesses_rule()
    {
        var truth = new Dictionary<string, List<LabelledBox>>
        {
            // Two boxes of the same class: matching either one is enough.
            ["a"] = [B("n1", 0, 0, 9, 9), B("n1", 50, 50, 59, 59)],
            ["b"] = [B("n2", 0, 0, 99, 99)],
            ["c"] = [B("n3", 10, 10, 19, 19)],
            ["d"] = [B("n4", 0, 0, 9, 9)],
        };
        var predictions = new Dictionary<string, List<LabelledBox>>
        {
            // Right class, second GT box matched exactly, as first guess: correct at top-1 and top-5.
            ["a"] = [B("n1", 50, 50, 59, 59), B("n9", 0, 0, 9, 9)],
            // Right class in third place, but its box has IoU 0.25 (50x50 inside 100x100): a localisation error, not a classification error.
            ["b"] = [B("n7", 0, 0, 99, 99), B("n8", 0, 0, 99, 99), B("n2", 0, 0, 49, 49)],
            // The right guess comes sixth: beyond the fifth, it does not count.
            ["c"] = [B("x1", 10, 10, 19, 19), B("x2", 10, 10, 19, 19), B("x3", 10, 10, 19, 19), B("x4", 10, 10, 19, 19), B("x5", 10, 10, 19, 19), B("n3", 10, 10, 19, 19)],
            // "d" has no prediction at all.
        };
        var score = IlsvrcScore.Compute(predictions, truth);
        Assert.Equal(4, score.Images);
        Assert.Equal(1, score.Missing);
        Assert.Equal(3.0 / 4, score.Top1LocalisationError);   // only a
        Assert.Equal(3.0 / 4, score.Top5LocalisationError);   // b's box misses, c's guess is sixth
        Assert.Equal(3.0 / 4, score.Top1ClassificationError);
        Assert.Equal(2.0 / 4, score.Top5ClassificationError); // a and b
    }

    [Fact]
    public void IoU_of_exactly_one_half_counts_as_found()
    {
        // Inclusive areas: guess 0..9 x 0..9 (100 px) against 0..9 x 0..4 (50 px) gives IoU 0.5.
        var truth = new List<LabelledBox> { B("n1", 0, 0, 9, 4) };
        Assert.Equal(0, IlsvrcScore.MinError([B("n1", 0, 0, 9, 9)], truth, localise: true));
        Assert.Equal(1, IlsvrcScore.MinError([B("n1", 0, 0, 9, 10)], truth, localise: true));
    }

    [Fact]
    public void Gt_known_accuracy_scores_the_ground_truth_class_box()
    {
        var truth = new Dictionary<string, List<LabelledBox>> { ["a"] = [B("n1", 0, 0, 9, 9)], ["b"] = [B("n2", 0, 0, 9, 9)] };
        var known = new Dictionary<string, List<LabelledBox>> { ["a"] = [B("n1", 0, 0, 9, 9)], ["b"] = [B("n2", 20, 20, 29, 29)] };
        Assert.Equal(0.5, IlsvrcScore.Compute(new Dictionary<string, List<LabelledBox>>(), truth, known).GtKnownLocalisationAccuracy);
    }

    [Fact]
    public void Csv_round_trips_and_bad_rows_name_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"loc-{Guid.NewGuid()}.csv");
        try
        {
            LocFile.Write(path, [("img1", [B("n1", 1, 2, 3, 4), B("n2", 5, 6, 7, 8)])]);
            var read = LocFile.Read(path);
            Assert.Equal([B("n1", 1, 2, 3, 4), B("n2", 5, 6, 7, 8)], read["img1"]);
            File.WriteAllText(path, "ImageId,PredictionString\nimg1,n1 1 2 3\n");
            var error = Assert.Throws<InputException>(() => LocFile.Read(path));
            Assert.Contains(path, error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_box_spanning_the_whole_int_range_is_a_miss_not_an_overflowed_hit()
    {
        // Inclusive width 2^32: an int area would overflow to 0 and give IoU > 0.5.
        var everything = new Box(int.MinValue, int.MinValue, int.MaxValue, int.MaxValue);
        var truth = new Box(0, 0, 99, 99);
        Assert.Equal(Math.Pow(2, 64), everything.Area);
        Assert.Equal(1e4 / Math.Pow(2, 64), everything.IoU(truth), 1e-30);
        var score = IlsvrcScore.Compute(new Dictionary<string, List<LabelledBox>> { ["a"] = [new("n1", everything)] },
            new Dictionary<string, List<LabelledBox>> { ["a"] = [new("n1", truth)] });
        Assert.Equal(1.0, score.Top5LocalisationError);
        Assert.Equal(0.0, score.Top5ClassificationError);
    }

    [Theory]
    [InlineData("ImageId,PredictionString\na,n1 0 0 9 9\nb,n1 0 0 9 9\na,n1 5 5 9 9\n", "appear more than once: a")]
    [InlineData("ImageId,PredictionString\na,n1 9 0 0 9\n", "xmax < xmin")]
    [InlineData("ImageId,PredictionString\na,n1 0 0 9 x\n", "is not 'wnid xmin ymin xmax ymax'")]
    [InlineData("", "not an ImageId,PredictionString CSV")]
    public void A_prediction_file_that_cannot_be_scored_as_written_is_refused(string text, string reason)
    {
        var path = Path.Combine(Path.GetTempPath(), $"loc-{Guid.NewGuid()}.csv");
        try
        {
            File.WriteAllText(path, text);
            var error = Assert.Throws<InputException>(() => LocFile.Read(path));
            Assert.Contains(path, error.Message);
            Assert.Contains(reason, error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Eval_on_a_header_only_truth_file_says_so_in_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-eval-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "truth.csv"), "ImageId,PredictionString\n");
            File.WriteAllText(Path.Combine(dir, "loc.csv"), "ImageId,PredictionString\na,n1 0 0 9 9\n");
            var (code, _, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(dir, "loc.csv"), "--truth", Path.Combine(dir, "truth.csv"), "--json", Path.Combine(dir, "s.json"));
            Assert.Equal(1, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("no images", stderr);
            Assert.False(File.Exists(Path.Combine(dir, "s.json")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
