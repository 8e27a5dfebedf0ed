using Pipeline.Localisation;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>
/// The four ILSVRC errors, one image at a time, each case built so that one rule decides it: a guess
/// counts for localisation when its class is right and its box has IoU &gt;= 0.5 with a box of that
/// class; for classification when its class is right; top-1 looks at the first guess, top-5 at the first five.
/// </summary>
public class IlsvrcRuleTests
{
    private static readonly Box Object = new(0, 0, 9, 9);
    private static readonly Box Good = new(0, 0, 9, 9);  // IoU 1
    private static readonly Box Bad = new(0, 0, 4, 4);   // IoU 25 / 100

    private static LabelledBox G(string wnid, Box box) => new(wnid, box);

    /// <summary>(top-1 loc, top-5 loc, top-1 cls, top-5 cls) errors of one image whose object is n1 at Object.</summary>
    private static (double, double, double, double) Errors(params LabelledBox[] guesses)
    {
        var score = IlsvrcScore.Compute(
            new Dictionary<string, List<LabelledBox>> { ["img"] = [.. guesses] },
            new Dictionary<string, List<LabelledBox>> { ["img"] = [G("n1", Object)] });
        return (score.Top1LocalisationError, score.Top5LocalisationError, score.Top1ClassificationError, score.Top5ClassificationError);
    }

    [Fact]
    public void A_right_first_guess_is_right_everywhere()
        => Assert.Equal((0.0, 0.0, 0.0, 0.0), Errors(G("n1", Good), G("n2", Good), G("n3", Good)));

    [Fact]
    public void A_right_second_guess_counts_for_top_5_only()
        => Assert.Equal((1.0, 0.0, 1.0, 0.0), Errors(G("n2", Good), G("n1", Good)));

    [Fact]
    public void A_right_class_with_a_bad_box_is_a_localisation_error_only()
        => Assert.Equal((1.0, 1.0, 0.0, 0.0), Errors(G("n1", Bad), G("n2", Good)));

    [Fact]
    public void A_bad_box_first_and_a_good_one_later_is_right_at_top_5()
        => Assert.Equal((1.0, 0.0, 0.0, 0.0), Errors(G("n1", Bad), G("n1", Good)));

    [Fact]
    public void The_fifth_guess_counts_and_the_sixth_does_not()
    {
        Assert.Equal((1.0, 0.0, 1.0, 0.0), Errors(G("a", Good), G("b", Good), G("c", Good), G("d", Good), G("n1", Good)));
        Assert.Equal((1.0, 1.0, 1.0, 1.0), Errors(G("a", Good), G("b", Good), G("c", Good), G("d", Good), G("e", Good), G("n1", Good)));
    }

    [Fact]
    public void Gt_known_accuracy_is_absent_without_ground_truth_class_boxes()
    {
        var truth = new Dictionary<string, List<LabelledBox>> { ["img"] = [G("n1", Object)] };
        var predictions = new Dictionary<string, List<LabelledBox>> { ["img"] = [G("n1", Good)] };
        Assert.Null(IlsvrcScore.Compute(predictions, truth).GtKnownLocalisationAccuracy);
        Assert.Null(IlsvrcScore.Compute(predictions, truth, new Dictionary<string, List<LabelledBox>>()).GtKnownLocalisationAccuracy);
    }

    [Fact]
    public void An_image_with_an_empty_list_of_ground_truth_class_boxes_counts_as_one_without_an_entry()
    {
        // Two images; only "a" has a ground-truth-class box, and it is right: accuracy 1 over 1 image,
        // whether "b" is absent from the dictionary or present with no box.
        var truth = new Dictionary<string, List<LabelledBox>> { ["a"] = [G("n1", Object)], ["b"] = [G("n2", Object)] };
        var none = new Dictionary<string, List<LabelledBox>>();
        var absent = new Dictionary<string, List<LabelledBox>> { ["a"] = [G("n1", Good)] };
        var empty = new Dictionary<string, List<LabelledBox>> { ["a"] = [G("n1", Good)], ["b"] = [] };
        Assert.Equal(1.0, IlsvrcScore.Compute(none, truth, absent).GtKnownLocalisationAccuracy);
        Assert.Equal(1.0, IlsvrcScore.Compute(none, truth, empty).GtKnownLocalisationAccuracy);
    }
}
