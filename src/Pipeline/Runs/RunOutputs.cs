using System.Text;

namespace Pipeline.Runs;

/// <summary>
/// The files of a run folder, written as the run goes so that a stopped run keeps every finished
/// image: loc.csv (or loc.txt in devkit form), loc_gt.csv with --truth, errors.csv, and progress.csv,
/// whose line for an image is written last and marks it finished. Opening a folder that holds the
/// same run (run-state.json) continues it: rows of an image cut by a kill are removed, so the files
/// end byte-identical to an uninterrupted run's. A failed write (a full disk) removes the image's
/// partial rows and stops the run with one line. Files are unbuffered: a row reaches the kernel
/// whole before the next begins.
/// </summary>
public sealed class RunOutputs : IDisposable
{
    private readonly string _outDir;
    private readonly RowFile[] _rowFiles;
    private readonly FileStream[] _files;
    private readonly FileStream _journal;
    private readonly List<JournalEntry> _finished;
    private long[] _ends;
    private long _journalEnd;

    public string Format { get; }
    public bool Devkit => Format == "devkit";
    /// <summary>Finished images (earlier sessions' included), in the order they finished.</summary>
    public IReadOnlyList<JournalEntry> Finished => _finished;

    /// <summary>Images that need no more work: their last attempt was scored or skipped, not an error (which a rerun retries).</summary>
    public IReadOnlySet<int> Done => RunJournal.LastAttempts(_finished).Where(p => p.Entry.Status != ImageStatus.Error).Select(p => p.Entry.Index).ToHashSet();

    /// <summary>Opens OUTDIR for this run: a new run, the continuation of the same run, or (restart) a new run in place of any earlier one.</summary>
    public static RunOutputs Open(string outDir, RunFingerprint fingerprint, string format, bool groundTruth, bool restart)
    {
        Directory.CreateDirectory(outDir);
        if (restart) RunArtifacts.RemoveAll(outDir);
        JournalOrder.Recover(outDir);
        var rowFiles = RunArtifacts.RowFilesOf(format, groundTruth).ToArray();
        var names = rowFiles.Select(f => f.Name).ToArray();
        var journalHeader = RunJournal.Header(names) + "\n";
        var statePath = Path.Combine(outDir, RunArtifacts.StateFile);
        var journalPath = Path.Combine(outDir, RunArtifacts.JournalFile);
        List<JournalEntry> finished = [];
        long journalEnd;
        if (File.Exists(statePath))
        {
            var earlier = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
            if (earlier.Differences(fingerprint) is { Count: > 0 } differences)
                throw new UsageException($"{outDir} holds a run with another {string.Join(", ", differences)}{earlier.Hint(fingerprint)}; rerun with --restart to replace it, or choose another --out");
            // A kill or a full disk while the journal was being created leaves it missing or cut: no image had finished.
            if (!File.Exists(journalPath) || new FileInfo(journalPath).Length < journalHeader.Length) WriteAll(journalPath, journalHeader);
            (finished, journalEnd) = RunJournal.Read(journalPath, names);
            // An earlier version's journal (no image sizes) is rewritten in this version's form before anything is appended.
            if (!File.ReadLines(journalPath).First().Equals(journalHeader.TrimEnd('\n')))
            {
                RunJournal.WriteAll(journalPath, names, finished);
                journalEnd = new FileInfo(journalPath).Length;
            }
        }
        else
        {
            if (RunArtifacts.MarkingFiles.Where(f => File.Exists(Path.Combine(outDir, f))).ToList() is { Count: > 0 } stale)
                throw new UsageException($"{outDir} holds files of a run that cannot be continued ({string.Join(", ", stale)}); rerun with --restart to replace them, or choose another --out");
            // The state goes first: a kill right after it leaves a folder that continues (every file is made below on the next open).
            WriteAll(statePath + ".partial", fingerprint.ToJson());
            File.Move(statePath + ".partial", statePath);
            WriteAll(journalPath, journalHeader);
            journalEnd = Encoding.UTF8.GetByteCount(journalHeader);
        }
        var ends = finished.Count > 0 ? finished[^1].FileEnds : rowFiles.Select(f => (long)Encoding.UTF8.GetByteCount(f.Header)).ToArray();
        var files = new List<FileStream>();
        try
        {
            for (int i = 0; i < names.Length; i++) files.Add(OpenAt(Path.Combine(outDir, names[i]), ends[i], rowFiles[i].Header, finished.Count == 0));
            var journal = OpenAt(journalPath, journalEnd, journalHeader, false);
            return new RunOutputs(outDir, format, rowFiles, [.. files], journal, finished, ends, journalEnd);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    private RunOutputs(string outDir, string format, RowFile[] rowFiles, FileStream[] files, FileStream journal, List<JournalEntry> finished, long[] ends, long journalEnd)
    {
        (_outDir, Format, _rowFiles, _files, _journal, _finished, _ends, _journalEnd) = (outDir, format, rowFiles, files, journal, finished, ends, journalEnd);
    }

    /// <summary>Opens a file for appending at `end`, cutting anything after it (the rows of an unfinished image); a missing or short file of a run with no finished image starts with its header.</summary>
    private static FileStream OpenAt(string path, long end, string header, bool mayRecreate)
    {
        if (File.Exists(path)) FileKinds.Require(path);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            if (stream.Length < end)
            {
                if (!mayRecreate) throw new InputException($"{path}: shorter than its progress record ({stream.Length} < {end} bytes): the folder was changed; --restart starts the run over");
                stream.SetLength(0);
                stream.Write(Encoding.UTF8.GetBytes(header));
            }
            stream.SetLength(end);
            stream.Position = end;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes one image's side files (maps, thumbnails, .npy: each under a temporary name, then renamed),
    /// its rows, then its progress line. On a failed write every file is cut back and the run stops.
    /// </summary>
    public void Commit(ImageOutcome image)
    {
        var rows = image.Rows;
        try
        {
            foreach (var file in image.SideFiles) file.WriteUnder(_outDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new RunFolderException(_outDir, e, _finished.Count); }
        var texts = _rowFiles.Select(f => f.Row(rows)).ToArray();
        try
        {
            var ends = new long[_files.Length];
            for (int i = 0; i < _files.Length; i++)
            {
                if (texts[i] is { } text) _files[i].Write(Encoding.UTF8.GetBytes(text));
                ends[i] = _files[i].Position;
            }
            var entry = new JournalEntry(image.Image.Index, image.Status, image.SaliencySeconds, image.LocalisationSeconds, ends, image.Width, image.Height);
            _journal.Write(Encoding.UTF8.GetBytes(entry.ToLine() + "\n"));
            _ends = ends;
            _journalEnd = _journal.Position;
            _finished.Add(entry);
        }
        catch (IOException e)
        {
            RollBack();
            throw new RunFolderException(_outDir, e, _finished.Count);
        }
    }

    private void RollBack()
    {
        for (int i = 0; i < _files.Length; i++) TryCut(_files[i], _ends[i]);
        TryCut(_journal, _journalEnd);
    }

    private static void TryCut(FileStream stream, long end)
    {
        try
        {
            stream.SetLength(end);
            stream.Position = end;
        }
        catch (IOException) { } // the next open cuts it again from progress.csv
    }

    /// <summary>
    /// Closes the files; where images were retried (their rows appended after the rest), rebuilds them in
    /// list order, so the folder reads as if every image had been computed once, in order.
    /// </summary>
    public void Close()
    {
        Dispose();
        if (!JournalOrder.Needed(_finished)) return;
        var ordered = JournalOrder.Rewrite(_outDir, _rowFiles.Select(f => f.Name).ToList(), _finished);
        _finished.Clear();
        _finished.AddRange(ordered);
    }

    private static void WriteAll(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
        _journal.Dispose();
    }
}
