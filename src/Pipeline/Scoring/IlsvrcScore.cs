
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
        IReadOnlyDictionary<string, List<LabelledBox>>? groundTruthClassBoxes = null)
    {
        double loc1 = 0, loc5 = 0, cls1 = 0, cls5 = 0, known = 0;
        int missing = 0, knownCount = 0;
        foreach (var (image, boxes) in truth)
        {
            var guesses = predictions.TryGetValue(image, out var p) ? p : [];
            if (guesses.Count == 0) missing++;
            loc1 += MinError(guesses.Take(1), boxes, localise: true);
            loc5 += MinError(guesses.Take(5), boxes, localise: true);
            cls1 += MinError(guesses.Take(1), boxes, localise: false);
            cls5 += MinError(guesses.Take(5), boxes, localise: false);
            if (groundTruthClassBoxes != null && groundTruthClassBoxes.TryGetValue(image, out var known1) && known1.Count > 0)
            {
                knownCount++;
                known += 1 - MinError(known1.Take(1), boxes, localise: true);
            }
        }
        int n = truth.Count;
        return new IlsvrcScore(n, loc1 / n, loc5 / n, cls1 / n, cls5 / n, knownCount > 0 ? known / knownCount : null, missing);
    }

    /// <summary>min over the guesses of d (1 when there are none).</summary>
    public static int MinError(IEnumerable<LabelledBox> guesses, IReadOnlyList<LabelledBox> truth, bool localise) =>
        guesses.Select(g => truth.Any(t => t.Wnid == g.Wnid && (!localise || g.Box.IoU(t.Box) >= 0.5)) ? 0 : 1).DefaultIfEmpty(1).Min();
}
