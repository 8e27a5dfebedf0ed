using System.Diagnostics;
using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>
/// merge and run never destroy a run they were not asked to replace: --out that is a shard however
/// spelled, --out holding another run, and a folder another process is writing are refused in one line
/// and left byte for byte as they were; a killed run's lock dies with it. Three ILSVRC dev images in two shards.
/// </summary>
public class MergeSafetyTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-merge-safety-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string List(int count)
    {
        var images = Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(count);
        var list = Path.Combine(_dir, $"images-{count}.txt");
        File.WriteAllLines(list, images);
        return list;
    }

    private string[] Args(string output, int images, params string[] extra) =>
        ["run", "--model", model.Model, "--images", List(images), "--out", output, "--crops", "1", "--device", "cpu", "--quiet", "--threads", "1", "--no-report", .. extra];

    private string[] Shards()
    {
        var shards = new[] { Path.Combine(_dir, "s0"), Path.Combine(_dir, "s1") };
        for (int i = 0; i < 2; i++)
        {
            var (code, _, stderr) = CommandLine.Run(Args(shards[i], 3, "--shard", $"{i}/2"));
            Assert.True(code == 0, stderr);
        }
        return shards;
    }

    /// <summary>Every file under the folder (the lock file aside: it names its last holder) with its bytes.</summary>
    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != FolderLock.FileName)
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    private static void Unchanged(Dictionary<string, byte[]> before, string dir)
    {
        var after = Snapshot(dir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, bytes) in before) Assert.True(bytes.SequenceEqual(after[name]), $"{name} changed");
    }

    private static void OneLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void An_out_that_is_a_shard_however_spelled_is_refused_and_the_shard_is_unchanged()
    {
        var shards = Shards();
        var before = Snapshot(shards[0]);
        var link = Path.Combine(_dir, "link-to-s0");
        File.CreateSymbolicLink(link, shards[0]);
        foreach (var spelling in new[] { shards[0] + "/", Path.Combine(_dir, ".", "s0", "..", "s0"), link, link + "/" })
        {
            var (code, _, stderr) = CommandLine.Run("merge", "--out", spelling, shards[0], shards[1]);
            Assert.Equal(2, code);
            Assert.Contains("is the shard folder " + shards[0], stderr);
            OneLine(stderr);
            Unchanged(before, shards[0]);
        }
        // The shard given through the link, --out the real folder: the same refusal.
        var reversed = CommandLine.Run("merge", "--out", shards[0], link, shards[1]);
        Assert.Equal(2, reversed.ExitCode);
        Unchanged(before, shards[0]);

        var merged = CommandLine.Run("merge", "--out", Path.Combine(_dir, "merged"), shards[0], shards[1]);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Contains("3 images", merged.Stdout);
    }

    [Fact]
    public void An_out_holding_another_run_is_refused_without_restart_and_replaced_with_it()
    {
        var shards = Shards();
        var fresh = Path.Combine(_dir, "fresh");
        Assert.Equal(0, CommandLine.Run("merge", "--out", fresh, shards[0], shards[1]).ExitCode);

        // Another run: one image, with --truth (a loc_gt.csv the merged run does not have).
        var other = Path.Combine(_dir, "other");
        var (code, _, stderr) = CommandLine.Run(Args(other, 1, "--truth", CommandLine.Shared("data", "ilsvrc-dev", "LOC_val_solution.csv")));
        Assert.True(code == 0, stderr);
        var before = Snapshot(other);
        Assert.Contains("loc_gt.csv", before.Keys);

        (code, _, stderr) = CommandLine.Run("merge", "--out", other, shards[0], shards[1]);
        Assert.Equal(2, code);
        Assert.Contains($"{other} holds another run", stderr);
        Assert.Contains("--restart", stderr);
        OneLine(stderr);
        Unchanged(before, other);

        // A merged folder is a run too: merging again into it needs --restart as well.
        Assert.Equal(2, CommandLine.Run("merge", "--out", fresh, shards[0], shards[1]).ExitCode);

        var restarted = CommandLine.Run("merge", "--restart", "--out", other, shards[0], shards[1]);
        Assert.True(restarted.ExitCode == 0, restarted.Stderr);
        Assert.False(File.Exists(Path.Combine(other, "loc_gt.csv")));
        Unchanged(Snapshot(fresh), other);
    }

    [Fact]
    public void A_shard_cut_short_is_refused_before_out_is_touched_even_with_restart()
    {
        var shards = Shards();
        var other = Path.Combine(_dir, "other");
        Assert.Equal(0, CommandLine.Run("merge", "--out", other, shards[0], shards[1]).ExitCode);
        var before = Snapshot(other);
        var loc = Path.Combine(shards[1], "loc.csv");
        using (var file = new FileStream(loc, FileMode.Open)) file.SetLength(file.Length - 3);

        var (code, _, stderr) = CommandLine.Run("merge", "--restart", "--out", other, shards[0], shards[1]);
        Assert.Equal(1, code);
        Assert.Contains($"{loc}: does not match its progress record", stderr);
        OneLine(stderr);
        Unchanged(before, other);
    }

    [Fact]
    public void A_folder_held_by_another_writer_is_refused_naming_its_PID_and_left_unchanged()
    {
        var shards = Shards();
        var before = Snapshot(shards[1]);
        var merged = Path.Combine(_dir, "merged");
        using (FolderLock.Acquire(shards[1]))
        {
            var expected = $"{shards[1]}: in use by another Pipeline run or merge (PID {Environment.ProcessId} on {Environment.MachineName})";
            // The same run again (it would continue the finished shard), and a merge reading it.
            var (code, _, stderr) = CommandLine.Run(Args(shards[1], 3, "--shard", "1/2"));
            Assert.Equal(1, code);
            Assert.Contains(expected, stderr);
            OneLine(stderr);
            (code, _, stderr) = CommandLine.Run("merge", "--out", merged, shards[0], shards[1]);
            Assert.Equal(1, code);
            Assert.Contains(expected, stderr);
            Assert.False(Directory.Exists(merged));
            Unchanged(before, shards[1]);
        }
        using (FolderLock.Acquire(merged))
        {
            var (code, _, stderr) = CommandLine.Run("merge", "--out", merged, shards[0], shards[1]);
            Assert.Equal(1, code);
            Assert.Contains($"{merged}: in use by another Pipeline run or merge (PID {Environment.ProcessId}", stderr);
            Assert.Equal([FolderLock.FileName], Directory.GetFiles(merged).Select(Path.GetFileName));
        }
        var result = CommandLine.Run("merge", "--out", merged, shards[0], shards[1]);
        Assert.True(result.ExitCode == 0, result.Stderr);

        // A shard being read by a merge: a run into it waits its turn; the PID in the file is the old writer's, so none is named.
        using (FolderLock.Share(shards[1]))
        {
            var (code, _, stderr) = CommandLine.Run(Args(shards[1], 3, "--shard", "1/2"));
            Assert.Equal(1, code);
            Assert.Contains($"{shards[1]}: being read by a Pipeline merge", stderr);
            Unchanged(before, shards[1]);
        }
    }

    [Fact]
    public void A_running_run_holds_its_folder_and_its_lock_dies_with_it_under_kill_9()
    {
        var output = Path.Combine(_dir, "killed");
        using (var process = Subprocess.Start(Args(output, 6)))
        {
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2) && !File.Exists(Path.Combine(output, RunArtifacts.StateFile))) Thread.Sleep(2);
            Assert.False(process.HasExited, "the run ended before it could be tested");
            var refused = Assert.Throws<InputException>(() => FolderLock.Acquire(output));
            Assert.Contains($"PID {process.Id} on", refused.Message);
            process.Kill(); // SIGKILL: no handler runs, only the kernel can release the lock
            process.WaitForExit();
        }
        var journal = Path.Combine(output, RunArtifacts.JournalFile);
        int finished = File.ReadAllLines(journal).Length - 1;
        Assert.True(finished < 6, "the kill came too late to test anything");

        var (code, stdout, stderr) = CommandLine.Run(Args(output, 6));
        Assert.True(code == 0, stderr);
        Assert.Contains("6 images, 0 skipped, 0 errors", stdout);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(output, "loc.csv")).Length);
    }
}
