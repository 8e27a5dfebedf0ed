using System.Diagnostics;
using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>
/// A run that is killed and rerun, or split into shards and merged, ends with files byte-identical
/// to one uninterrupted run's. Six ILSVRC dev images, one crop, ground-truth boxes.
/// </summary>
public class ResumeAndShardTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-resume-").FullName;
    private static readonly string[] Files = ["loc.csv", "loc_gt.csv", "errors.csv", "predictions.csv"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string List()
    {
        var images = Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(6).ToList();
        var list = Path.Combine(_dir, "images.txt");
        File.WriteAllLines(list, [.. images, Path.Combine(_dir, "missing.jpg")]); // one failing image, so errors.csv has a row
        return list;
    }

    private string[] Args(string output, params string[] extra) =>
        ["run", "--model", model.Model, "--images", List(), "--out", output, "--crops", "1", "--device", "cpu", "--quiet", "--threads", "1",
         "--truth", CommandLine.Shared("data", "ilsvrc-dev", "LOC_val_solution.csv"), .. extra];

    private string Uninterrupted()
    {
        var output = Path.Combine(_dir, "whole");
        var (code, _, stderr) = CommandLine.Run(Args(output));
        Assert.True(code == 0, stderr);
        return output;
    }

    private static void SameFiles(string expected, string actual)
    {
        foreach (var f in Files) Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    private static int Finished(string output) =>
        File.Exists(Path.Combine(output, RunArtifacts.JournalFile)) ? File.ReadAllLines(Path.Combine(output, RunArtifacts.JournalFile)).Length - 1 : 0;

    [Fact]
    public void A_run_killed_at_any_moment_continues_to_the_same_files()
    {
        var whole = Uninterrupted();
        var output = Path.Combine(_dir, "killed");
        // Kill -9 as soon as the run folder exists (before the first image), then each time one more image has
        // finished: the kill lands wherever the process is, inside an image or between its rows.
        foreach (var target in new[] { 0, 1, 3, 5 })
        {
            using var process = Subprocess.Start(Args(output));
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2)
                   && !(target == 0 ? File.Exists(Path.Combine(output, RunArtifacts.StateFile)) : Finished(output) >= target))
                Thread.Sleep(2);
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
        }
        Assert.True(Finished(output) < 7, "the kills came too late to test anything");
        var (code, stdout, stderr) = CommandLine.Run(Args(output));
        Assert.True(code == 0, stderr);
        Assert.Contains("6 images, 1 skipped, 0 errors", stdout);
        SameFiles(whole, output);
    }

    [Fact]
    public void A_data_set_mounted_elsewhere_is_the_same_run_and_a_full_path_state_of_earlier_versions_still_resumes()
    {
        var first = Path.Combine(_dir, "mount-a");
        var images = Path.Combine(first, "images");
        Directory.CreateDirectory(images);
        foreach (var f in Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(2))
            File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
        string[] RunArgs(string root) => ["run", "--model", model.Model, "--images", Path.Combine(root, "images"), "--out", Path.Combine(root, "out"),
            "--crops", "1", "--device", "cpu", "--quiet", "--threads", "1"];
        Assert.Equal(0, CommandLine.Run(RunArgs(first)).ExitCode);
        var moved = Path.Combine(_dir, "mount-b");
        Directory.Move(first, moved);
        var journal = File.ReadAllText(Path.Combine(moved, "out", RunArtifacts.JournalFile));

        var (code, _, stderr) = CommandLine.Run(RunArgs(moved));

        Assert.True(code == 0, stderr);
        Assert.Equal(journal, File.ReadAllText(Path.Combine(moved, "out", RunArtifacts.JournalFile))); // nothing computed again

        // A run-state.json written before paths were relative holds the hash of full paths.
        var statePath = Path.Combine(moved, "out", RunArtifacts.StateFile);
        var state = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
        var fullPaths = string.Join('\n', Directory.GetFiles(Path.Combine(moved, "images")).Order(StringComparer.Ordinal).Select(Path.GetFullPath));
        File.WriteAllText(statePath, (state with { ImagesSha256 = RunFingerprint.Sha256(fullPaths) }).ToJson());
        Assert.Equal(0, CommandLine.Run(RunArgs(moved)).ExitCode);
        Assert.Equal(journal, File.ReadAllText(Path.Combine(moved, "out", RunArtifacts.JournalFile)));
        File.WriteAllText(statePath, (state with { ImagesSha256 = RunFingerprint.Sha256(fullPaths + "x") }).ToJson());
        Assert.Equal(2, CommandLine.Run(RunArgs(moved)).ExitCode);
    }

    [Fact]
    public void A_run_state_of_the_version_before_per_localiser_settings_still_resumes()
    {
        var output = Path.Combine(_dir, "earlier");
        string[] args = [.. Args(output), "--no-report"];
        Assert.Equal(0, CommandLine.Run(args).ExitCode);
        var journal = File.ReadAllText(Path.Combine(output, RunArtifacts.JournalFile));
        var statePath = Path.Combine(output, RunArtifacts.StateFile);
        var state = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
        // The options as that version wrote them (the default localiser, gradient rule): --method, --smooth and every localiser's settings.
        SortedDictionary<string, string> Earlier(string bag)
        {
            var options = new SortedDictionary<string, string>(state.Options, StringComparer.Ordinal) { ["--method"] = "mass-box", ["--smooth"] = "1 x 0", ["localisation options"] = bag };
            foreach (var key in new[] { "--localiser", "--smoothgrad", "localiser options" }) Assert.True(options.Remove(key), key);
            return options;
        }
        const string bag = "{\"ForegroundQuantile\":0.95,\"BackgroundQuantile\":0.3,\"Components\":5,\"Iterations\":5,\"SegmentationSide\":320,\"MinimumSeeds\":20,\"Smoothing\":0.02,\"MassTail\":0.05,\"MassPower\":2,\"Threshold\":0.2,\"AllRegions\":false,\"SmoothingValue\":0.02,\"MassPowerValue\":2}";
        File.WriteAllText(statePath, (state with { Options = Earlier(bag) }).ToJson());
        var (code, _, stderr) = CommandLine.Run(args);
        Assert.True(code == 0, stderr);
        Assert.Equal(journal, File.ReadAllText(Path.Combine(output, RunArtifacts.JournalFile))); // nothing computed again

        // Another mass tail in the earlier form is another run.
        File.WriteAllText(statePath, (state with { Options = Earlier(bag.Replace("\"MassTail\":0.05", "\"MassTail\":0.1")) }).ToJson());
        (code, _, stderr) = CommandLine.Run(args);
        Assert.Equal(2, code);
        Assert.Contains("another localisation options", stderr);
    }

    [Fact]
    public void An_internal_error_is_not_a_skip_a_rerun_retries_it_and_the_files_end_as_one_clean_runs()
    {
        var whole = Uninterrupted();
        var output = Path.Combine(_dir, "errors");
        var ids = File.ReadAllLines(List()).Take(6).Select(Path.GetFileNameWithoutExtension).ToList();
        var failing = new Dictionary<string, string?> { [FaultInjection.Variable] = $"{ids[1]},{ids[4]}" };

        var (code, _, stderr) = Subprocess.Run(failing, Args(output, "--parallel-images", "2"));

        Assert.Equal(1, code);
        Assert.Contains("2 images failed for a reason other than bad input", stderr);
        var errors = File.ReadAllLines(Path.Combine(output, "errors.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal([ids[1], ids[4]], errors.Where(e => e[2] == "error").Select(e => e[1]));
        Assert.Single(errors, e => e[2] == "skipped");
        Assert.Contains("\"errors\": 2", File.ReadAllText(Path.Combine(output, RunArtifacts.ReportFile)));

        // The same command without the fault: only the two are computed again, and the rows land in list order.
        var (again, stdout, stderrAgain) = Subprocess.Run(Args(output, "--parallel-images", "2"));
        Assert.True(again == 0, stderrAgain);
        Assert.Contains("6 images, 1 skipped, 0 errors", stdout);
        SameFiles(whole, output);
        Assert.Equal(Enumerable.Range(0, 7), File.ReadAllLines(Path.Combine(output, RunArtifacts.JournalFile)).Skip(1).Select(l => int.Parse(l.Split(',')[0])));
    }

    [Fact]
    public void A_reordering_killed_between_its_renames_is_finished_by_the_next_open()
    {
        var whole = Uninterrupted();
        var output = Path.Combine(_dir, "reorder");
        var ids = File.ReadAllLines(List()).Take(6).Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(1, Subprocess.Run(new Dictionary<string, string?> { [FaultInjection.Variable] = ids[2] }, Args(output)).ExitCode);
        // Retry by hand up to the point where a kill could land: the new files written, the marker made, one file renamed.
        var names = RunArtifacts.FileNames("kaggle", groundTruth: true);
        using (var outputs = RunOutputs.Open(output, RunFingerprint.Parse(File.ReadAllText(Path.Combine(output, RunArtifacts.StateFile)), "state"), "kaggle", true, false))
            Assert.DoesNotContain(2, outputs.Done);
        var (code, _, stderr) = CommandLine.Run(Args(output));
        Assert.True(code == 0, stderr);
        SameFiles(whole, output);
        foreach (var f in names) File.Copy(Path.Combine(output, f), Path.Combine(output, f + ".ordered"));
        File.Copy(Path.Combine(output, RunArtifacts.JournalFile), Path.Combine(output, RunArtifacts.JournalFile + ".ordered"));
        File.WriteAllText(Path.Combine(output, "reorder.pending"), "");
        File.Move(Path.Combine(output, names[0] + ".ordered"), Path.Combine(output, names[0]), overwrite: true);
        File.WriteAllText(Path.Combine(output, names[1]), "damaged, as a half-finished rename would leave it");

        (code, _, stderr) = CommandLine.Run(Args(output));

        Assert.True(code == 0, stderr);
        SameFiles(whole, output);
        Assert.Empty(Directory.GetFiles(output, "*.ordered"));
        Assert.False(File.Exists(Path.Combine(output, "reorder.pending")));

        // --restart over a rewrite killed mid-way drops it: it does not bring the old run's files back.
        foreach (var f in names) File.Copy(Path.Combine(output, f), Path.Combine(output, f + ".ordered"));
        File.WriteAllText(Path.Combine(output, "reorder.pending"), "");
        (code, _, stderr) = CommandLine.Run(Args(output, "--restart"));
        Assert.True(code == 0, stderr);
        SameFiles(whole, output);
        Assert.Empty(Directory.GetFiles(output, "*.ordered"));
    }

    [Fact]
    public void Images_computed_in_parallel_give_the_same_files_and_a_killed_parallel_run_resumes_to_them()
    {
        var whole = Uninterrupted();
        var parallel = Path.Combine(_dir, "parallel");
        var (code, _, stderr) = CommandLine.Run(Args(parallel, "--parallel-images", "3"));
        Assert.True(code == 0, stderr);
        SameFiles(whole, parallel);

        var killed = Path.Combine(_dir, "parallel-killed");
        using (var process = Subprocess.Start(Args(killed, "--parallel-images", "3")))
        {
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2) && Finished(killed) < 2) Thread.Sleep(2);
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
        }
        Assert.True(Finished(killed) < 7, "the kill came too late to test anything");
        (code, _, stderr) = CommandLine.Run(Args(killed, "--parallel-images", "2"));
        Assert.True(code == 0, stderr);
        SameFiles(whole, killed);
    }

    [Fact]
    public void Copies_of_one_image_in_flight_at_once_share_the_map_cache_without_errors()
    {
        var images = Path.Combine(_dir, "copies");
        Directory.CreateDirectory(images);
        var source = Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).First();
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f" }) File.Copy(source, Path.Combine(images, name + ".JPEG"));
        var cache = Path.Combine(_dir, "cache");
        string[] Run(string output)
        {
            var (code, stdout, stderr) = CommandLine.Run("run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1", "--device", "cpu",
                "--quiet", "--threads", "1", "--parallel-images", "3", "--map-cache", cache);
            Assert.True(code == 0, stderr);
            Assert.Contains("6 images, 0 skipped, 0 errors", stdout);
            return File.ReadAllLines(Path.Combine(output, "loc.csv")).Skip(1).Select(l => l[l.IndexOf(',')..]).ToArray();
        }
        var computed = Run(Path.Combine(_dir, "first"));
        Assert.Single(computed.Distinct());                        // six copies, one answer
        Assert.Equal(computed, Run(Path.Combine(_dir, "second"))); // and the same from the cache
        Assert.Empty(Directory.GetFiles(cache, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void Rows_of_an_image_cut_by_a_kill_are_removed_on_resume()
    {
        var whole = Uninterrupted();
        var output = Path.Combine(_dir, "cut");
        Directory.CreateDirectory(output);
        foreach (var f in Directory.GetFiles(whole)) File.Copy(f, Path.Combine(output, Path.GetFileName(f)));
        // As if killed while the fourth image's rows were being written: its progress line cut short, half a loc row after the third.
        var journal = File.ReadAllLines(Path.Combine(output, RunArtifacts.JournalFile));
        File.WriteAllText(Path.Combine(output, RunArtifacts.JournalFile), string.Join('\n', journal.Take(4)) + "\n" + journal[4][..5]);
        long third = long.Parse(journal[3].Split(',')[4]);
        using (var loc = new FileStream(Path.Combine(output, "loc.csv"), FileMode.Open)) loc.SetLength(third + 30);

        var (code, _, stderr) = CommandLine.Run(Args(output));
        Assert.True(code == 0, stderr);
        SameFiles(whole, output);
        Assert.Equal(7, Finished(output));
    }

    [Fact]
    public void Another_model_or_option_is_refused_and_restart_removes_the_old_run()
    {
        var output = Path.Combine(_dir, "changed");
        var (code, _, stderr) = CommandLine.Run(Args(output, "--save-maps"));
        Assert.True(code == 0, stderr);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "maps")));

        (code, _, stderr) = CommandLine.Run(Args(output, "--save-maps", "--top", "3"));
        Assert.Equal(2, code);
        Assert.Contains("--top", stderr);
        Assert.Contains("--restart", stderr);

        // Without --truth and maps, after --restart: no loc_gt.csv and no maps of the earlier run remain.
        var args = Args(output, "--restart", "--top", "3").ToList();
        args.RemoveRange(args.IndexOf("--truth"), 2);
        (code, _, stderr) = CommandLine.Run([.. args]);
        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(Path.Combine(output, "loc_gt.csv")));
        Assert.False(Directory.Exists(Path.Combine(output, "maps")));
        Assert.Equal(15, File.ReadAllLines(Path.Combine(output, "loc.csv"))[1].Split(',')[1].Split(' ').Length);
    }

    [Fact]
    public void A_folder_with_run_files_but_no_run_state_is_refused()
    {
        var output = Path.Combine(_dir, "stale");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "loc_gt.csv"), "ImageId,PredictionString\n");
        var (code, _, stderr) = CommandLine.Run(Args(output));
        Assert.Equal(2, code);
        Assert.Contains("loc_gt.csv", stderr);
    }

    [Fact]
    public void Shards_merged_in_any_order_equal_one_run_and_merge_refuses_a_missing_or_unfinished_shard()
    {
        var whole = Uninterrupted();
        var shards = Enumerable.Range(0, 3).Select(i => Path.Combine(_dir, $"shard-{i}")).ToArray();
        for (int i = 0; i < 3; i++)
        {
            var (code, _, stderr) = CommandLine.Run(Args(shards[i], "--shard", $"{i}/3"));
            Assert.True(code == 0, stderr);
        }
        var merged = Path.Combine(_dir, "merged");
        var result = CommandLine.Run("merge", "--out", merged, shards[2], shards[0], shards[1]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        SameFiles(whole, merged);

        result = CommandLine.Run("merge", "--out", merged, shards[0], shards[2]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("missing shards (of 3): 1", result.Stderr);

        var journal = Path.Combine(shards[1], RunArtifacts.JournalFile);
        File.WriteAllLines(journal, File.ReadAllLines(journal)[..^1]);
        result = CommandLine.Run(["merge", "--out", merged, .. shards]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not complete", result.Stderr);

        var other = Path.Combine(_dir, "other-1");
        Assert.Equal(0, CommandLine.Run(Args(other, "--shard", "1/3", "--top", "2")).ExitCode);
        result = CommandLine.Run("merge", "--out", merged, shards[0], other, shards[2]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("differs in --top", result.Stderr);
    }

    private static Func<string, string?> Scheduler(string? task, string? count, string? min, string? index)
    {
        var variables = new Dictionary<string, string?>
        {
            ["SLURM_ARRAY_TASK_ID"] = task, ["SLURM_ARRAY_TASK_COUNT"] = count, ["SLURM_ARRAY_TASK_MIN"] = min, ["JOB_COMPLETION_INDEX"] = index,
        };
        return k => variables.GetValueOrDefault(k);
    }

    [Theory]
    [InlineData(null, null, null, null, null, null, "0/1")]
    [InlineData(null, "3", "4", null, null, null, "0/1")]    // inside a Slurm array task, not asked: every image
    [InlineData(null, null, null, null, "6", null, "0/1")]   // inside a Kubernetes Indexed Job, not asked
    [InlineData("2/5", "3", "4", null, null, null, "2/5")]   // explicit wins over the scheduler
    [InlineData("auto", "7", "4", "5", null, null, "2/4")]   // a Slurm array --array=5-8
    [InlineData("auto", "3", "4", null, null, null, "3/4")]
    [InlineData("auto", "3", "2", "1", null, 4, "3/4")]      // --array=1,3 resubmitted out of 4 shards
    [InlineData("auto", null, null, null, "6", 8, "6/8")]    // Kubernetes, --shard-count 8
    public void Shards_only_when_asked_from_the_option_or_the_scheduler(string? option, string? task, string? count, string? min, string? index, int? shardCount, string expected)
    {
        var spec = ShardSpec.Resolve(option, shardCount, Scheduler(task, count, min, index));
        Assert.Equal(expected, spec.ToString());
        // Every image belongs to exactly one shard.
        Assert.Equal(1, Enumerable.Range(0, spec.Count).Count(i => new ShardSpec(i, spec.Count).Takes(13)));
    }

    [Theory]
    [InlineData("auto", null, null, null, null, null, "neither a Slurm array task")]
    [InlineData("auto", null, null, null, "6", null, "needs --shard-count")]
    [InlineData("auto", "3", null, null, null, null, "SLURM_ARRAY_TASK_COUNT")]
    [InlineData("auto", "5", "4", null, null, null, "shard 5 of 4 is out of range")]
    [InlineData(null, null, null, null, "6", 8, "--shard-count goes with --shard auto")]
    [InlineData("1/4", null, null, null, null, 4, "--shard-count goes with --shard auto")]
    [InlineData("every", null, null, null, null, null, "expected I/N, e.g. 0/4, or auto")]
    public void A_shard_that_cannot_be_known_is_a_usage_error(string? option, string? task, string? count, string? min, string? index, int? shardCount, string reason)
    {
        var error = Assert.Throws<UsageException>(() => ShardSpec.Resolve(option, shardCount, Scheduler(task, count, min, index)));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Inside_a_Slurm_array_task_run_takes_every_image_unless_asked_and_auto_takes_its_share()
    {
        var slurm = new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "0", ["JOB_COMPLETION_INDEX"] = null };
        var all = Path.Combine(_dir, "slurm-all");
        var (code, stdout, stderr) = Subprocess.Run(slurm, Args(all));
        Assert.True(code == 0, stderr);
        Assert.Contains("6 images, 1 skipped, 0 errors", stdout);
        SameFiles(Uninterrupted(), all);

        var auto = Path.Combine(_dir, "slurm-auto");
        (code, _, stderr) = Subprocess.Run(slurm, Args(auto, "--shard", "auto"));
        Assert.True(code == 0, stderr);
        var explicitShard = Path.Combine(_dir, "explicit-1-of-3");
        Assert.Equal(0, CommandLine.Run(Args(explicitShard, "--shard", "1/3")).ExitCode);
        SameFiles(explicitShard, auto);
        Assert.Equal(2, Finished(auto)); // list indices 1 and 4 of 7

        var none = new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = null, ["SLURM_ARRAY_TASK_COUNT"] = null, ["JOB_COMPLETION_INDEX"] = null };
        var refused = Path.Combine(_dir, "auto-nowhere");
        (code, _, stderr) = Subprocess.Run(none, Args(refused, "--shard", "auto"));
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--shard auto", stderr);
        Assert.False(File.Exists(Path.Combine(refused, "loc.csv")));
    }

    [Fact]
    public void A_shard_with_no_images_succeeds_with_a_notice_and_merges()
    {
        var list = Path.Combine(_dir, "two.txt");
        File.WriteAllLines(list, File.ReadAllLines(List()).Take(2));
        string[] Two(string output, params string[] extra)
        {
            var args = Args(output, extra);
            args[Array.IndexOf(args, "--images") + 1] = list;
            return args;
        }
        // The shards share a map cache filled by the whole run, with the first image's entry damaged:
        // the merged run.json counts the one bad entry of shard 0.
        var cache = Path.Combine(_dir, "two-cache");
        var whole = Path.Combine(_dir, "two-whole");
        Assert.Equal(0, CommandLine.Run(Two(whole, "--map-cache", cache)).ExitCode);
        var first = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(File.ReadAllLines(list)[0])));
        File.WriteAllText(Assert.Single(Directory.GetFiles(cache, first + ".maps", SearchOption.AllDirectories)), "damaged");
        var shards = Enumerable.Range(0, 3).Select(i => Path.Combine(_dir, $"two-shard-{i}")).ToArray();
        for (int i = 0; i < 2; i++) Assert.Equal(0, CommandLine.Run(Two(shards[i], "--shard", $"{i}/3", "--map-cache", cache)).ExitCode);

        var (code, stdout, stderr) = CommandLine.Run(Two(shards[2], "--shard", "2/3", "--map-cache", cache));
        Assert.True(code == 0, stderr);
        Assert.Equal("notice: shard 2/3 takes none of the 2 images; nothing to do", stderr.Trim());
        Assert.Contains("0 images, 0 skipped, 0 errors", stdout);
        Assert.Equal(0, Finished(shards[2]));

        var merged = Path.Combine(_dir, "two-merged");
        var result = CommandLine.Run(["merge", "--out", merged, .. shards]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        SameFiles(whole, merged);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(merged, "run.json")));
        Assert.Equal(1, report.RootElement.GetProperty("mapCache").GetProperty("badEntriesRecomputed").GetInt32());
    }

    [Fact]
    public void A_full_disk_stops_the_run_in_one_line_without_a_cut_row_and_the_run_continues_later()
    {
        var whole = Path.Combine(_dir, "whole-60");
        Assert.Equal(0, CommandLine.Run(Args(whole, "--top", "60", "--no-report")).ExitCode);
        var mount = Path.Combine(_dir, "small-disk");
        Directory.CreateDirectory(mount);
        // A 32 KB file system (tmpfs; the tests run as root, as CI does): one 4 KB page for each of the seven
        // files (.pipeline.lock included) and one to spare, so that the rows of 60 classes (2 to 5 KB an image) run out of space part way.
        Assert.Equal(0, Shell($"mount -t tmpfs -o size=32k tmpfs {mount}"));
        try
        {
            var output = Path.Combine(mount, "out");
            var (code, _, stderr) = CommandLine.Run(Args(output, "--top", "60", "--no-report"));
            Assert.Equal(1, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("No space left on device", stderr);
            Assert.InRange(Finished(output), 1, 6);
            // What was written ends at a whole row, and every finished image's rows are there.
            foreach (var f in Files)
                Assert.EndsWith("\n", File.ReadAllText(Path.Combine(output, f)));

            Assert.Equal(0, Shell($"mount -o remount,size=4m {mount}"));
            (code, _, stderr) = CommandLine.Run(Args(output, "--top", "60", "--no-report"));
            Assert.True(code == 0, stderr);
            SameFiles(whole, output);
        }
        finally { Shell($"umount {mount}"); }
    }

    private static int Shell(string command)
    {
        using var process = Process.Start("bash", ["-c", command]);
        process.WaitForExit();
        return process.ExitCode;
    }
}
