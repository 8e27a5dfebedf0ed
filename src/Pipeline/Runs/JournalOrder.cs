namespace Pipeline.Runs;

/// <summary>
/// Puts a run folder's files back in list order after images were retried: a retried image's rows
/// are appended at the end, after the rows of its failed attempt. The files are rebuilt from the
/// journal's pieces (the last attempt of each image) under temporary names, then renamed; a kill
/// during the renames is finished by <see cref="Recover"/> on the next open, so the folder is always
/// either the old consistent state or the new one.
/// </summary>
public static class JournalOrder
{
    private const string Suffix = ".ordered", Marker = "reorder.pending";

    /// <summary>True when the journal lists an image twice or out of list order.</summary>
    public static bool Needed(IReadOnlyList<JournalEntry> entries)
    {
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].Index <= entries[i - 1].Index) return true;
        return false;
    }

    /// <summary>Rebuilds the files (closed by the caller) and the journal in list order, keeping each image's last attempt.</summary>
    public static List<JournalEntry> Rewrite(string outDir, IReadOnlyList<string> names, IReadOnlyList<JournalEntry> entries)
    {
        var last = RunJournal.LastAttempts(entries).ToList();
        var contents = names.Select(n => File.ReadAllBytes(Path.Combine(outDir, n))).ToArray();
        var ordered = JournalPieces.Write(names, names.Select(n => Path.Combine(outDir, n + Suffix)).ToList(),
            last.Select(p => (entries, contents, p.Position)));
        File.WriteAllText(Path.Combine(outDir, RunArtifacts.JournalFile + Suffix),
            RunJournal.Text(names, ordered));
        // Every new file is whole before the marker exists; from here on the renames only go forward.
        File.WriteAllText(Path.Combine(outDir, Marker), "");
        Recover(outDir);
        return ordered;
    }

    /// <summary>Drops a rewrite in progress (its files and marker): --restart removes the run it belonged to.</summary>
    public static void Discard(string outDir)
    {
        foreach (var file in Directory.EnumerateFiles(outDir, "*" + Suffix)) File.Delete(file);
        File.Delete(Path.Combine(outDir, Marker));
    }

    /// <summary>Finishes renames that a kill interrupted, or drops a rewrite that had not finished writing.</summary>
    public static void Recover(string outDir)
    {
        var pending = Directory.EnumerateFiles(outDir, "*" + Suffix).ToList();
        if (File.Exists(Path.Combine(outDir, Marker)))
            foreach (var file in pending) File.Move(file, file[..^Suffix.Length], overwrite: true);
        else
            foreach (var file in pending) File.Delete(file);
        File.Delete(Path.Combine(outDir, Marker));
    }
}
