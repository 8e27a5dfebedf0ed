
namespace Pipeline.Scoring;

/// <summary>
/// ILSVRC localisation scoring (the ILSVRC 2012-2014 localisation task rules, as the paper's Sect. 3.2 reports it). For one guess, d = 0 when its class is a
/// ground-truth class of the image and its box overlaps a ground-truth box of that class with
/// IoU &gt;= 0.5 (inclusive pixel areas), else 1; an image's error is the minimum over its first
/// guess (top-1) or first five guesses (top-5); scores are means over the ground-truth images.
/// An image without predictions counts as wrong.
/// </summary>
public sealed record IlsvrcScore(
    int Images, double Top1LocalisationError, double Top5LocalisationError,
    double Top1ClassificationError, double Top5ClassificationError,
    double? GtKnownLocalisationAccuracy, int Missing)
{
    public static IlsvrcScore Compute(
        IReadOnlyDictionary<string, List<LabelledBox>> predictions,
        IReadOnlyDictionary<string, List<LabelledBox>> truth,
        IReadOnlyDictionary<string, List<LabelledBox>>? groundTruthClassBoxes = null) =>
        Of(ImageScore.Each(predictions, truth, groundTruthClassBoxes));

    /// <summary>The means of the images' d values.</summary>
    public static IlsvrcScore Of(IReadOnlyList<ImageScore> images)
    {
        int n = images.Count;
        if (n == 0) return new IlsvrcScore(0, double.NaN, double.NaN, double.NaN, double.NaN, null, 0);
        var known = images.Where(i => i.GtKnownLocalisationError != null).ToList();
        return new IlsvrcScore(n, images.Average(i => i.Top1LocalisationError), images.Average(i => i.Top5LocalisationError),
            images.Average(i => i.Top1ClassificationError), images.Average(i => i.Top5ClassificationError),
            known.Count > 0 ? 1 - known.Average(i => (double)i.GtKnownLocalisationError!) : null, images.Count(i => i.Missing));
    }

    /// <summary>min over the guesses of d (1 when there are none).</summary>
    public static int MinError(IEnumerable<LabelledBox> guesses, IReadOnlyList<LabelledBox> truth, bool localise) =>
        guesses.Select(g => truth.Any(t => t.Wnid == g.Wnid && (!localise || g.Box.IoU(t.Box) >= 0.5)) ? 0 : 1).DefaultIfEmpty(1).Min();
}
