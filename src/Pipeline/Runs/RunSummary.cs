namespace Pipeline.Runs;

/// <summary>Counts and timings of a run (or of merged shards), summed over every session that added to it.</summary>
public sealed record RunSummary(int Images, int Finished, int Scored, int Failed, int Warnings,
    double SaliencySeconds, double LocalisationSeconds, double SessionSeconds, int SessionImages)
{
    public bool Complete => Finished == Images;
    public double SecondsPerImage => SessionSeconds / Math.Max(1, SessionImages);

    public static RunSummary Of(IReadOnlyList<JournalEntry> finished, int images, double sessionSeconds, int sessionImages) => new(
        images, finished.Count,
        finished.Count(e => e.Status != ImageStatus.Failed), finished.Count(e => e.Status == ImageStatus.Failed), finished.Count(e => e.Status == ImageStatus.Warning),
        finished.Sum(e => e.SaliencySeconds), finished.Sum(e => e.LocalisationSeconds), sessionSeconds, sessionImages);
}
