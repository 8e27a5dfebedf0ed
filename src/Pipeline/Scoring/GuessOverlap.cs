using Pipeline.Localisation;

namespace Pipeline.Scoring;

/// <summary>
/// How a guessed box meets an image's ground truth: its best IoU with a box of its own class, or,
/// where the image has none of that class, with any box (so a wrong class that overlaps says how much).
/// </summary>
public sealed record GuessOverlap(double IoU, bool RightClass)
{
    public static GuessOverlap Of(string wnid, Box box, IReadOnlyList<LabelledBox> truth)
    {
        var same = truth.Where(t => t.Wnid == wnid).ToList();
        var against = same.Count > 0 ? same : truth;
        return new GuessOverlap(against.Select(t => box.IoU(t.Box)).DefaultIfEmpty(0).Max(), same.Count > 0);
    }
}
