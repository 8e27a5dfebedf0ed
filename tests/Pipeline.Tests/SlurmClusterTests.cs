using System.Diagnostics;
using Xunit.Abstractions;

namespace Pipeline.Tests;

/// <summary>
/// A [Fact] that is reported as skipped (not passed) unless PIPELINE_CLUSTER_TESTS=1: the test needs root and
/// starts a Slurm cluster on this machine. xunit 2 has no skipping from inside a test, so the decision is made
/// when the test is discovered (same process, same environment as the run).
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public const string Variable = "PIPELINE_CLUSTER_TESTS";

    public ClusterFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"needs a local Slurm cluster (root): set {Variable}=1, or run bash tests/cluster/slurm_shards_test.sh";
    }
}

public class SlurmClusterTests(ITestOutputHelper output)
{
    /// <summary>tests/cluster/slurm_shards_test.sh: 4 shards on Slurm, one cancelled and requeued, merged, compared with one process.</summary>
    [ClusterFact]
    public void ShardedRunOnSlurmMergesToTheSingleProcessOutput()
    {
        var start = new ProcessStartInfo("bash", ["tests/cluster/slurm_shards_test.sh"])
        {
            WorkingDirectory = CommandLine.Repository(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = new Process { StartInfo = start };
        var lines = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (lines) lines.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(TimeSpan.FromMinutes(15));
        if (!exited) process.Kill(entireProcessTree: true);
        process.WaitForExit(); // the end of the redirected output
        lock (lines) foreach (var line in lines) output.WriteLine(line);
        Assert.True(exited, "tests/cluster/slurm_shards_test.sh ran over 15 minutes");
        var summary = lines.LastOrDefault(l => l.Contains(" passed, ")) ?? "(no summary line)";
        Assert.True(process.ExitCode == 0, $"slurm_shards_test.sh exited {process.ExitCode}: {summary}");
        Assert.Matches(@"^[1-9][0-9]* passed, 0 failed$", summary);
    }
}
