namespace Pipeline.Runs;

/// <summary>Counts and timings of a run (or of merged shards), summed over every session that added to it.</summary>
public sealed record RunSummary(int Images, int Finished, int Scored, int Failed, int Warnings,
    double SaliencySeconds, double LocalisationSeconds, double SessionSeconds, int SessionImages, int Errors = 0)
{
    public bool Complete => Finished == Images;
    public double SecondsPerImage => SessionSeconds / Math.Max(1, SessionImages);

    /// <summary>Counts each image's last attempt; an image whose last attempt was an error is not finished.</summary>
    public static RunSummary Of(IReadOnlyList<JournalEntry> journal, int images, double sessionSeconds, int sessionImages)
    {
        var last = RunJournal.LastAttempts(journal).Select(p => p.Entry).ToList();
        var finished = last.Where(e => e.Status != ImageStatus.Error).ToList();
        return new(images, finished.Count,
            finished.Count(e => e.Status is ImageStatus.Ok or ImageStatus.Warning), finished.Count(e => e.Status == ImageStatus.Failed),
            finished.Count(e => e.Status == ImageStatus.Warning),
            finished.Sum(e => e.SaliencySeconds), finished.Sum(e => e.LocalisationSeconds), sessionSeconds, sessionImages,
            last.Count(e => e.Status == ImageStatus.Error));
    }
}
