namespace Pipeline.Runs;

/// <summary>
/// Which share of the image list a process takes: the images whose index i in the run's list has
/// i % Count == Index (interleaved, so shards get a like mix of image sizes). One process is shard 0/1.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(0, 1);

    public bool Takes(int imageIndex) => imageIndex % Count == Index;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// From `--shard I/N`; else from a Slurm array task (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
    /// SLURM_ARRAY_TASK_COUNT: the array must be contiguous, e.g. --array=0-3); else from a Kubernetes
    /// Indexed Job (JOB_COMPLETION_INDEX) with `--shard-count N`; else the whole list.
    /// </summary>
    public static ShardSpec Resolve(string? option, int? shardCount, Func<string, string?> environment)
    {
        if (option != null)
        {
            if (shardCount != null) throw new UsageException("--shard and --shard-count: give one of them");
            var parts = option.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n))
                throw new UsageException($"--shard '{option}': expected I/N, e.g. 0/4");
            return Checked(i, n, "--shard");
        }
        if (environment("SLURM_ARRAY_TASK_ID") is { } task && environment("SLURM_ARRAY_TASK_COUNT") is { } count && shardCount == null)
        {
            int min = int.TryParse(environment("SLURM_ARRAY_TASK_MIN"), out var m) ? m : 0;
            if (!int.TryParse(task, out var t) || !int.TryParse(count, out var c))
                throw new UsageException($"SLURM_ARRAY_TASK_ID '{task}' / SLURM_ARRAY_TASK_COUNT '{count}' are not numbers");
            return Checked(t - min, c, "the Slurm array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; use a contiguous --array)");
        }
        if (shardCount is { } total)
        {
            var index = environment("JOB_COMPLETION_INDEX") ?? throw new UsageException("--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it) or use --shard I/N");
            if (!int.TryParse(index, out var k)) throw new UsageException($"JOB_COMPLETION_INDEX '{index}' is not a number");
            return Checked(k, total, "JOB_COMPLETION_INDEX of --shard-count");
        }
        return Whole;
    }

    private static ShardSpec Checked(int index, int count, string source) =>
        count is >= 1 and <= 100_000 && index >= 0 && index < count
            ? new ShardSpec(index, count)
            : throw new UsageException($"{source}: shard {index} of {count} is out of range (0 <= I < N, N from 1 to 100000)");
}
