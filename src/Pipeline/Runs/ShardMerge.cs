using System.Text.Json;
using System.Text;
using Mono.Unix.Native;
using Pipeline.Outputs;

namespace Pipeline.Runs;

/// <summary>
/// Joins the run folders of shards 0..N-1 into one folder identical to a single process's run:
/// every shard present once, complete, of one fingerprint (model, card, images, options), then each
/// output file rebuilt image by image in list order from the shards' pieces (progress.csv gives
/// where each image's rows begin and end in each file). The merged folder has its own run-state.json
/// and progress.csv, as an uninterrupted single run would. Every shard is read and checked whole
/// before --out is touched; --out may not be a shard (by identity, however spelled) nor hold another
/// run unless restart is asked; --out is held alone and the shards shared (<see cref="FolderLock"/>).
/// </summary>
public static class ShardMerge
{
    private sealed record Shard(string Dir, RunFingerprint Fingerprint, List<JournalEntry> Entries, byte[][] Contents);

    public static RunSummary Merge(IReadOnlyList<string> shardDirs, string outDir, bool restart = false)
    {
        if (shardDirs.Count == 0) throw new UsageException("merge: name the shard folders");
        if (shardDirs.FirstOrDefault(d => SameFolder(d, outDir)) is { } self)
            throw new UsageException($"--out {outDir} is the shard folder {self}; choose another folder");
        var shared = new List<FolderLock>();
        try
        {
            foreach (var dir in shardDirs)
                if (FolderLock.Share(dir) is { } held) shared.Add(held);
            return Merge(outDir, restart, shardDirs.Select(Read).ToList());
        }
        finally
        {
            foreach (var held in shared) held.Dispose();
        }
    }

    private static RunSummary Merge(string outDir, bool restart, List<Shard> shards)
    {
        var first = shards[0].Fingerprint;
        foreach (var s in shards.Skip(1))
            if (s.Fingerprint.Differences(first, ignoreShardIndex: true) is { Count: > 0 } differences)
                throw new InputException($"{s.Dir}: not a shard of the same run as {shards[0].Dir} (differs in {string.Join(", ", differences)})");
        int count = first.Shard.Count;
        if (shards.GroupBy(s => s.Fingerprint.Shard.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"shard {twice.Key}/{count} is given twice: {string.Join(", ", twice.Select(s => s.Dir))}");
        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Fingerprint.Shard.Index)).ToList();
        if (missing.Count > 0) throw new InputException($"missing shards (of {count}): {string.Join(", ", missing.Take(20))}");

        var names = RunArtifacts.FileNames(first.Options["--format"], first.TruthSha256 != null).ToArray();
        var pieces = new (Shard Shard, int Entry)[first.ImageCount];
        foreach (var shard in shards)
        {
            var spec = shard.Fingerprint.Shard;
            var expected = Enumerable.Range(0, first.ImageCount).Where(spec.Takes).ToList();
            var indices = shard.Entries.Select(e => e.Index).ToList();
            if (indices.Distinct().Count() != indices.Count)
                throw new InputException($"{shard.Dir}: progress.csv lists an image twice");
            if (!indices.SequenceEqual(expected))
                throw new InputException($"{shard.Dir}: shard {spec} is not complete ({indices.Count} of {expected.Count} images finished); rerun it, then merge");
            for (int j = 0; j < shard.Entries.Count; j++) pieces[shard.Entries[j].Index] = (shard, j);
            CheckRows(shard, names);
        }

        var report = FirstReport(shards[0]);
        using var held = FolderLock.Acquire(outDir);
        if (!restart && RunArtifacts.MarkingFiles.Where(f => File.Exists(Path.Combine(outDir, f))).ToList() is { Count: > 0 } earlier)
            throw new UsageException($"{outDir} holds another run ({string.Join(", ", earlier)}); rerun with --restart to replace it, or choose another --out");
        RunArtifacts.RemoveAll(outDir);
        var merged = JournalPieces.Write(names, names.Select(n => Path.Combine(outDir, n)).ToList(),
            pieces.Select(p => ((IReadOnlyList<JournalEntry>)p.Shard.Entries, p.Shard.Contents, p.Entry)));
        RunJournal.WriteAll(Path.Combine(outDir, RunArtifacts.JournalFile), names, merged);
        File.WriteAllText(Path.Combine(outDir, RunArtifacts.StateFile), (first with { Shard = ShardSpec.Whole }).ToJson());
        CopyFolders(shards.Select(s => s.Dir), outDir);
        NpyMaps.MergeSizes(shards.Select(s => s.Dir), outDir);

        var summary = RunSummary.Of(merged, first.ImageCount, 0, 0);
        WriteReport(report, shards, outDir, summary);
        if (first.Options.GetValueOrDefault("--no-report") != "True") HtmlReport.Write(outDir);
        return summary;
    }

    private static Shard Read(string dir)
    {
        var statePath = Path.Combine(dir, RunArtifacts.StateFile);
        if (!File.Exists(statePath)) throw new InputException($"{dir}: not a run folder (no {RunArtifacts.StateFile})");
        var fingerprint = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
        var names = RunArtifacts.FileNames(fingerprint.Options.GetValueOrDefault("--format", "kaggle"), fingerprint.TruthSha256 != null);
        var journal = Path.Combine(dir, RunArtifacts.JournalFile);
        if (!File.Exists(journal)) throw new InputException($"{dir}: no {RunArtifacts.JournalFile}: the shard never started");
        var entries = RunJournal.Read(journal, names).Entries;
        var contents = names.Select(n => Path.Combine(dir, n)).Select(path =>
        {
            if (!File.Exists(path)) throw new InputException($"{path}: missing; the shard folder was changed, rerun the shard with --restart");
            FileKinds.Require(path);
            return File.ReadAllBytes(path);
        }).ToArray();
        return new Shard(dir, fingerprint, entries, contents);
    }

    /// <summary>Where image j's rows begin in file f: after the header for the first image, else where the image before it ended.</summary>
    /// <summary>Each file begins with its header and holds every image's rows where progress.csv says, in order.</summary>
    private static void CheckRows(Shard shard, IReadOnlyList<string> names)
    {
        for (int f = 0; f < names.Count; f++)
        {
            var path = Path.Combine(shard.Dir, names[f]);
            var header = Encoding.UTF8.GetBytes(RunArtifacts.Header(names[f]));
            if (!shard.Contents[f].AsSpan().StartsWith(header)) throw new InputException($"{path}: does not begin with its header; the shard folder was changed");
            for (int j = 0; j < shard.Entries.Count; j++)
            {
                long start = JournalPieces.Start(shard.Entries, j, names[f], f), end = shard.Entries[j].FileEnds[f];
                if (end < start || end > shard.Contents[f].Length)
                    throw new InputException($"{path}: does not match its progress record ({shard.Contents[f].Length} bytes, image {shard.Entries[j].Index} ends at byte {end}); the shard folder was changed, rerun the shard with --restart");
            }
        }
    }

    /// <summary>One folder however spelled (trailing slash, `.` and `..`, links): the same device and inode.</summary>
    private static bool SameFolder(string a, string b) =>
        Syscall.stat(a, out var x) == 0 && Syscall.stat(b, out var y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;

    /// <summary>The shards' per-image folders (maps, report thumbnails, .npy maps) joined into the merged run's, file by file.</summary>
    private static void CopyFolders(IEnumerable<string> shardDirs, string outDir)
    {
        foreach (var dir in shardDirs)
        foreach (var name in RunArtifacts.ImageFolders)
        {
            var folder = Path.Combine(dir, name);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(outDir, name, Path.GetRelativePath(folder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    /// <summary>The shards' map cache counts summed; the first write failure any shard met.</summary>
    private static Dictionary<string, object?> MapCacheReport(IReadOnlyList<Shard> shards)
    {
        var merged = new Dictionary<string, object?> { ["badEntriesRecomputed"] = 0, ["writeFailure"] = null };
        foreach (var shard in shards)
        {
            var path = Path.Combine(shard.Dir, RunArtifacts.ReportFile);
            if (!File.Exists(path)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("mapCache", out var cache)) continue;
            merged.TryAdd("folder", cache.GetProperty("folder").GetString());
            merged["badEntriesRecomputed"] = (int)merged["badEntriesRecomputed"]! + cache.GetProperty("badEntriesRecomputed").GetInt32();
            merged["writeFailure"] ??= cache.GetProperty("writeFailure").GetString();
        }
        return merged;
    }

    /// <summary>The first shard's run.json (none: an empty report), read before --out is touched.</summary>
    private static Dictionary<string, object?> FirstReport(Shard shard)
    {
        var report = new Dictionary<string, object?>();
        var path = Path.Combine(shard.Dir, RunArtifacts.ReportFile);
        if (!File.Exists(path)) return report;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var p in doc.RootElement.EnumerateObject()) report[p.Name] = p.Value.Clone();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InputException($"{path}: not a run report ({Messages.FirstLine(e.Message)})");
        }
        return report;
    }

    /// <summary>run.json of the merged folder: the first shard's report (model, card, options), with counts and timings over all shards.</summary>
    private static void WriteReport(Dictionary<string, object?> report, IReadOnlyList<Shard> shards, string outDir, RunSummary summary)
    {
        report["shard"] = "merged";
        report["shards"] = shards.Select(s => $"{s.Fingerprint.Shard} {Path.GetFullPath(s.Dir)}").ToArray();
        report["images"] = summary.Scored;
        report["skipped"] = summary.Failed;
        report["errors"] = summary.Errors;
        report["warnings"] = summary.Warnings;
        report["complete"] = summary.Complete;
        var timings = RunReport.Timings(summary);
        timings.Remove("sessionSeconds");
        timings.Remove("secondsPerImage");
        report["timings"] = timings;
        report.Remove("peakMemoryBytes");
        if (report.ContainsKey("mapCache")) report["mapCache"] = MapCacheReport(shards);
        if (CompletenessFiles.Summarise(outDir) is { } completeness) report["completeness"] = completeness;
        RunReport.Save(Path.Combine(outDir, RunArtifacts.ReportFile), report);
    }
}
