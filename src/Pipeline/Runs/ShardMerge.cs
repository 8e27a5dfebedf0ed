using System.Text;
using System.Text.Json;

namespace Pipeline.Runs;

/// <summary>
/// Joins the run folders of shards 0..N-1 into one folder identical to a single process's run:
/// every shard present once, complete, of one fingerprint (model, card, images, options), then each
/// output file rebuilt image by image in list order from the shards' pieces (progress.csv gives
/// where each image's rows begin and end in each file). The merged folder has its own run-state.json
/// and progress.csv, as an uninterrupted single run would.
/// </summary>
public static class ShardMerge
{
    private sealed record Shard(string Dir, RunFingerprint Fingerprint, List<JournalEntry> Entries);

    public static RunSummary Merge(IReadOnlyList<string> shardDirs, string outDir)
    {
        if (shardDirs.Count == 0) throw new UsageException("merge: name the shard folders");
        var shards = shardDirs.Select(Read).ToList();
        var first = shards[0].Fingerprint;
        foreach (var s in shards.Skip(1))
            if (s.Fingerprint.Differences(first, ignoreShardIndex: true) is { Count: > 0 } differences)
                throw new InputException($"{s.Dir}: not a shard of the same run as {shards[0].Dir} (differs in {string.Join(", ", differences)})");
        int count = first.Shard.Count;
        if (shards.GroupBy(s => s.Fingerprint.Shard.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InputException($"shard {twice.Key}/{count} is given twice: {string.Join(", ", twice.Select(s => s.Dir))}");
        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Fingerprint.Shard.Index)).ToList();
        if (missing.Count > 0) throw new InputException($"missing shards (of {count}): {string.Join(", ", missing.Take(20))}");

        var names = RunOutputs.FileNames(first.Options["--format"], first.TruthSha256 != null).ToArray();
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
        }

        Directory.CreateDirectory(outDir);
        RunOutputs.RemoveRun(outDir);
        var merged = new List<JournalEntry>();
        var outputs = names.Select(n => new FileStream(Path.Combine(outDir, n), FileMode.Create, FileAccess.Write)).ToArray();
        try
        {
            var ends = new long[names.Length];
            for (int f = 0; f < names.Length; f++)
            {
                outputs[f].Write(Encoding.UTF8.GetBytes(RunOutputs.Header(names[f])));
                ends[f] = outputs[f].Position;
            }
            var contents = shards.ToDictionary(s => s.Dir, s => names.Select(n => File.ReadAllBytes(Path.Combine(s.Dir, n))).ToArray());
            foreach (var (shard, j) in pieces)
            {
                var entry = shard.Entries[j];
                for (int f = 0; f < names.Length; f++)
                {
                    long start = j == 0 ? Encoding.UTF8.GetByteCount(RunOutputs.Header(names[f])) : shard.Entries[j - 1].FileEnds[f];
                    var bytes = contents[shard.Dir][f];
                    if (entry.FileEnds[f] > bytes.Length) throw new InputException($"{Path.Combine(shard.Dir, names[f])}: shorter than its progress record");
                    outputs[f].Write(bytes, (int)start, (int)(entry.FileEnds[f] - start));
                    ends[f] = outputs[f].Position;
                }
                merged.Add(entry with { FileEnds = (long[])ends.Clone() });
            }
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
        File.WriteAllText(Path.Combine(outDir, RunJournal.FileName), RunJournal.Header(names) + "\n" + string.Concat(merged.Select(e => e.ToLine() + "\n")));
        File.WriteAllText(Path.Combine(outDir, RunOutputs.StateFile), (first with { Shard = ShardSpec.Whole }).ToJson());
        CopyFolders(shards.Select(s => s.Dir), outDir);
        Stages.NpyMaps.MergeSizes(shards.Select(s => s.Dir), outDir);

        var summary = RunSummary.Of(merged, first.ImageCount, 0, 0);
        WriteReport(shards, outDir, summary);
        if (first.Options.GetValueOrDefault("--no-report") != "True") HtmlReport.Write(outDir);
        return summary;
    }

    private static Shard Read(string dir)
    {
        var statePath = Path.Combine(dir, RunOutputs.StateFile);
        if (!File.Exists(statePath)) throw new InputException($"{dir}: not a run folder (no {RunOutputs.StateFile})");
        var fingerprint = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
        var names = RunOutputs.FileNames(fingerprint.Options.GetValueOrDefault("--format", "kaggle"), fingerprint.TruthSha256 != null);
        var journal = Path.Combine(dir, RunJournal.FileName);
        if (!File.Exists(journal)) throw new InputException($"{dir}: no {RunJournal.FileName}: the shard never started");
        return new Shard(dir, fingerprint, RunJournal.Read(journal, names).Entries);
    }

    /// <summary>The shards' per-image folders (maps, report thumbnails, .npy maps) joined into the merged run's, file by file.</summary>
    private static void CopyFolders(IEnumerable<string> shardDirs, string outDir)
    {
        foreach (var dir in shardDirs)
        foreach (var name in RunOutputs.RunFolders)
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
            var path = Path.Combine(shard.Dir, RunOutputs.ReportFile);
            if (!File.Exists(path)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("mapCache", out var cache)) continue;
            merged.TryAdd("folder", cache.GetProperty("folder").GetString());
            merged["badEntriesRecomputed"] = (int)merged["badEntriesRecomputed"]! + cache.GetProperty("badEntriesRecomputed").GetInt32();
            merged["writeFailure"] ??= cache.GetProperty("writeFailure").GetString();
        }
        return merged;
    }

    /// <summary>run.json of the merged folder: the first shard's report (model, card, options), with counts and timings over all shards.</summary>
    private static void WriteReport(IReadOnlyList<Shard> shards, string outDir, RunSummary summary)
    {
        var report = new Dictionary<string, object?>();
        var firstReport = Path.Combine(shards[0].Dir, RunOutputs.ReportFile);
        if (File.Exists(firstReport))
            using (var doc = JsonDocument.Parse(File.ReadAllText(firstReport)))
                foreach (var p in doc.RootElement.EnumerateObject()) report[p.Name] = p.Value.Clone();
        report["shard"] = "merged";
        report["shards"] = shards.Select(s => $"{s.Fingerprint.Shard} {Path.GetFullPath(s.Dir)}").ToArray();
        report["images"] = summary.Scored;
        report["errors"] = summary.Failed;
        report["warnings"] = summary.Warnings;
        report["complete"] = summary.Complete;
        var timings = RunReport.Timings(summary);
        timings.Remove("sessionSeconds");
        timings.Remove("secondsPerImage");
        report["timings"] = timings;
        report.Remove("peakMemoryBytes");
        if (report.ContainsKey("mapCache")) report["mapCache"] = MapCacheReport(shards);
        RunReport.Save(Path.Combine(outDir, RunOutputs.ReportFile), report);
    }
}
