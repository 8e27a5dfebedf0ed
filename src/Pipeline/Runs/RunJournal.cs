using System.Globalization;

namespace Pipeline.Runs;

/// <summary>
/// How one image ended: scored, scored with a warning (e.g. a truncated JPEG), failed as bad input
/// (skipped, final), or failed for another reason (an error: a rerun tries it again).
/// </summary>
public enum ImageStatus { Ok, Warning, Failed, Error }

/// <summary>
/// One finished image in progress.csv: its index in the run's list, how it ended, its timings, its
/// size in pixels (0 x 0 when it was not scored), and the length of each output file once its rows
/// were written. An image is finished when its
/// progress line is complete; the lengths let a resumed run cut away the rows of an image that was
/// being written at a kill, and let merge cut each shard's files into per-image pieces.
/// </summary>
public sealed record JournalEntry(int Index, ImageStatus Status, double SaliencySeconds, double LocalisationSeconds, long[] FileEnds, int Width = 0, int Height = 0)
{
    public string ToLine() => string.Join(',', [
        Index.ToString(CultureInfo.InvariantCulture), Status.ToString().ToLowerInvariant(),
        SaliencySeconds.ToString("R", CultureInfo.InvariantCulture), LocalisationSeconds.ToString("R", CultureInfo.InvariantCulture),
        Width.ToString(CultureInfo.InvariantCulture), Height.ToString(CultureInfo.InvariantCulture),
        .. FileEnds.Select(e => e.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>A line; `sized` is false for the journals of earlier versions, which had no width and height.</summary>
    public static JournalEntry? Parse(string line, int files, bool sized = true)
    {
        var f = line.Split(',');
        int first = sized ? 6 : 4;
        if (f.Length != first + files || !int.TryParse(f[0], CultureInfo.InvariantCulture, out var index)
            || !Enum.TryParse<ImageStatus>(f[1], ignoreCase: true, out var status) || !Enum.IsDefined(status)
            || !double.TryParse(f[2], CultureInfo.InvariantCulture, out var saliency) || !double.TryParse(f[3], CultureInfo.InvariantCulture, out var localisation))
            return null;
        int width = 0, height = 0;
        if (sized && (!int.TryParse(f[4], CultureInfo.InvariantCulture, out width) || !int.TryParse(f[5], CultureInfo.InvariantCulture, out height) || width < 0 || height < 0))
            return null;
        var ends = new long[files];
        for (int i = 0; i < files; i++)
            if (!long.TryParse(f[first + i], CultureInfo.InvariantCulture, out ends[i])) return null;
        return new JournalEntry(index, status, saliency, localisation, ends, width, height);
    }
}

/// <summary>progress.csv: a header naming the output files, then one <see cref="JournalEntry"/> per finished image.</summary>
public static class RunJournal
{
    public static string Header(IReadOnlyList<string> files) => "index,status,saliency_seconds,localisation_seconds,width,height," + string.Join(',', files.Select(f => f + "_end"));

    /// <summary>The header of earlier versions' journals (no image sizes): still read, so their runs resume and merge.</summary>
    public static string UnsizedHeader(IReadOnlyList<string> files) => "index,status,saliency_seconds,localisation_seconds," + string.Join(',', files.Select(f => f + "_end"));

    /// <summary>Each image's last attempt (a rerun retries an error, so an image may be listed twice) and its position in the journal, in list order.</summary>
    public static IEnumerable<(JournalEntry Entry, int Position)> LastAttempts(IReadOnlyList<JournalEntry> entries) =>
        entries.Select((e, j) => (e, j)).GroupBy(p => p.e.Index).Select(g => g.Last()).OrderBy(p => p.e.Index);

    /// <summary>A whole journal's text: the header, then a line per entry.</summary>
    public static string Text(IReadOnlyList<string> files, IEnumerable<JournalEntry> entries) =>
        Header(files) + "\n" + string.Concat(entries.Select(e => e.ToLine() + "\n"));

    /// <summary>Writes a whole journal (under a temporary name, then renamed).</summary>
    public static void WriteAll(string path, IReadOnlyList<string> files, IEnumerable<JournalEntry> entries)
    {
        File.WriteAllText(path + ".partial", Text(files, entries));
        File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>
    /// The finished images, and the byte length of the journal's complete part: a line cut by a kill
    /// (no newline at its end) is not finished. Any other damage is refused.
    /// </summary>
    public static (List<JournalEntry> Entries, long CompleteLength) Read(string path, IReadOnlyList<string> files)
    {
        var bytes = File.ReadAllBytes(path);
        int complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lines = System.Text.Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        bool sized = lines.Length > 0 && lines[0] == Header(files);
        if (!sized && (lines.Length == 0 || lines[0] != UnsizedHeader(files)))
            throw new InputException($"{path}: not this run's progress file (header '{(lines.Length > 0 ? lines[0] : "")}'); --restart starts the run over");
        var entries = new List<JournalEntry>();
        foreach (var line in lines.Skip(1))
            entries.Add(JournalEntry.Parse(line, files.Count, sized) ?? throw new InputException($"{path}: a damaged line '{line}'; --restart starts the run over"));
        return (entries, complete);
    }
}
