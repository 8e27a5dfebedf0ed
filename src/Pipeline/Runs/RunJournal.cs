using System.Globalization;

namespace Pipeline.Runs;

/// <summary>
/// How one image ended: scored, scored with a warning (e.g. a truncated JPEG), failed as bad input
/// (skipped, final), or failed for another reason (an error: a rerun tries it again).
/// </summary>
public enum ImageStatus { Ok, Warning, Failed, Error }

/// <summary>
/// One finished image in progress.csv: its index in the run's list, how it ended, its timings, and
/// the length of each output file once its rows were written. An image is finished when its
/// progress line is complete; the lengths let a resumed run cut away the rows of an image that was
/// being written at a kill, and let merge cut each shard's files into per-image pieces.
/// </summary>
public sealed record JournalEntry(int Index, ImageStatus Status, double SaliencySeconds, double LocalisationSeconds, long[] FileEnds)
{
    public string ToLine() => string.Join(',', [
        Index.ToString(CultureInfo.InvariantCulture), Status.ToString().ToLowerInvariant(),
        SaliencySeconds.ToString("R", CultureInfo.InvariantCulture), LocalisationSeconds.ToString("R", CultureInfo.InvariantCulture),
        .. FileEnds.Select(e => e.ToString(CultureInfo.InvariantCulture))]);

    public static JournalEntry? Parse(string line, int files)
    {
        var f = line.Split(',');
        if (f.Length != 4 + files || !int.TryParse(f[0], CultureInfo.InvariantCulture, out var index)
            || !Enum.TryParse<ImageStatus>(f[1], ignoreCase: true, out var status)
            || !double.TryParse(f[2], CultureInfo.InvariantCulture, out var saliency) || !double.TryParse(f[3], CultureInfo.InvariantCulture, out var localisation))
            return null;
        var ends = new long[files];
        for (int i = 0; i < files; i++)
            if (!long.TryParse(f[4 + i], CultureInfo.InvariantCulture, out ends[i])) return null;
        return new JournalEntry(index, status, saliency, localisation, ends);
    }
}

/// <summary>progress.csv: a header naming the output files, then one <see cref="JournalEntry"/> per finished image.</summary>
public static class RunJournal
{
    public const string FileName = "progress.csv";

    public static string Header(IReadOnlyList<string> files) => "index,status,saliency_seconds,localisation_seconds," + string.Join(',', files.Select(f => f + "_end"));

    /// <summary>
    /// The finished images, and the byte length of the journal's complete part: a line cut by a kill
    /// (no newline at its end) is not finished. Any other damage is refused.
    /// </summary>
    public static (List<JournalEntry> Entries, long CompleteLength) Read(string path, IReadOnlyList<string> files)
    {
        var bytes = File.ReadAllBytes(path);
        int complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lines = System.Text.Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Header(files))
            throw new InputException($"{path}: not this run's progress file (header '{(lines.Length > 0 ? lines[0] : "")}'); --restart starts the run over");
        var entries = new List<JournalEntry>();
        foreach (var line in lines.Skip(1))
            entries.Add(JournalEntry.Parse(line, files.Count) ?? throw new InputException($"{path}: a damaged line '{line}'; --restart starts the run over"));
        return (entries, complete);
    }
}
