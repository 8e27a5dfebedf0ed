namespace Pipeline.Scoring;

/// <summary>
/// One image's ILSVRC d values (0 right, 1 wrong; <see cref="IlsvrcScore"/> has the rules): the four
/// errors, and the ground-truth class's box error where loc_gt.csv gave one. `eval --per-image` writes
/// them; two runs' lists on the same images are what <see cref="PairedComparison"/> compares.
/// </summary>
public sealed record ImageScore(string ImageId, int Top1LocalisationError, int Top5LocalisationError,
    int Top1ClassificationError, int Top5ClassificationError, int? GtKnownLocalisationError, bool Missing)
{
    public const string Header = "image,top1_loc_err,top5_loc_err,top1_cls_err,top5_cls_err,gt_known_loc_err";

    /// <summary>Every ground-truth image, in the truth file's order.</summary>
    public static List<ImageScore> Each(
        IReadOnlyDictionary<string, List<LabelledBox>> predictions,
        IReadOnlyDictionary<string, List<LabelledBox>> truth,
        IReadOnlyDictionary<string, List<LabelledBox>>? groundTruthClassBoxes = null) =>
        truth.Select(t =>
        {
            var guesses = predictions.TryGetValue(t.Key, out var p) ? p : [];
            int? known = groundTruthClassBoxes != null && groundTruthClassBoxes.TryGetValue(t.Key, out var gt) && gt.Count > 0
                ? IlsvrcScore.MinError(gt.Take(1), t.Value, localise: true) : null;
            return new ImageScore(t.Key,
                IlsvrcScore.MinError(guesses.Take(1), t.Value, localise: true), IlsvrcScore.MinError(guesses.Take(5), t.Value, localise: true),
                IlsvrcScore.MinError(guesses.Take(1), t.Value, localise: false), IlsvrcScore.MinError(guesses.Take(5), t.Value, localise: false),
                known, guesses.Count == 0);
        }).ToList();

    public string Row() => $"{ImageId},{Top1LocalisationError},{Top5LocalisationError},{Top1ClassificationError},{Top5ClassificationError},{GtKnownLocalisationError}";
}
