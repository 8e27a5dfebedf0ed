using System.Text;

namespace Pipeline.Runs;

/// <summary>
/// A run folder's row files cut into per-image pieces by its journal: image j's piece of file f runs
/// from the end of image j-1's (or the header's end) to its own recorded end. Merge joins shards'
/// pieces this way, and a retried run puts its pieces back in list order.
/// </summary>
public static class JournalPieces
{
    /// <summary>Where entry j's piece of file f (named `name`) begins.</summary>
    public static long Start(IReadOnlyList<JournalEntry> entries, int j, string name, int f) =>
        j == 0 ? Encoding.UTF8.GetByteCount(RunArtifacts.Header(name)) : entries[j - 1].FileEnds[f];

    /// <summary>
    /// Writes each row file at `paths[f]`: its header, then the given pieces in the given order. Returns
    /// the pieces' journal entries with the written files' ends.
    /// </summary>
    public static List<JournalEntry> Write(IReadOnlyList<string> names, IReadOnlyList<string> paths,
        IEnumerable<(IReadOnlyList<JournalEntry> Entries, byte[][] Contents, int Entry)> pieces)
    {
        var written = new List<JournalEntry>();
        var streams = paths.Select(p => new FileStream(p, FileMode.Create, FileAccess.Write)).ToArray();
        try
        {
            for (int f = 0; f < names.Count; f++) streams[f].Write(Encoding.UTF8.GetBytes(RunArtifacts.Header(names[f])));
            foreach (var (entries, contents, j) in pieces)
            {
                var ends = new long[names.Count];
                for (int f = 0; f < names.Count; f++)
                {
                    long start = Start(entries, j, names[f], f);
                    streams[f].Write(contents[f], (int)start, (int)(entries[j].FileEnds[f] - start));
                    ends[f] = streams[f].Position;
                }
                written.Add(entries[j] with { FileEnds = ends });
            }
            foreach (var s in streams) s.Flush(flushToDisk: true);
        }
        finally
        {
            foreach (var s in streams) s.Dispose();
        }
        return written;
    }
}
