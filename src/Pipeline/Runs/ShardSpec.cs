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
    /// Sharding only when asked: `--shard I/N`, or `--shard auto`, which reads the scheduler: a Slurm
    /// array task (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, a contiguous
    /// --array; with `--shard-count N`, SLURM_ARRAY_TASK_ID of N, so that some tasks can be resubmitted
    /// alone) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX of `--shard-count N`). Without --shard,
    /// the whole list, whatever the environment: a run inside an array task that is not a shard of it
    /// must not lose images.
    /// </summary>
    public static ShardSpec Resolve(string? option, int? shardCount, Func<string, string?> environment)
    {
        if (option == null)
        {
            if (shardCount != null) throw new UsageException("--shard-count goes with --shard auto");
            return Whole;
        }
        if (option == "auto") return FromScheduler(shardCount, environment);
        if (shardCount != null) throw new UsageException("--shard-count goes with --shard auto, not with --shard I/N");
        var parts = option.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n))
            throw new UsageException($"--shard '{option}': expected I/N, e.g. 0/4, or auto");
        return Checked(i, n, "--shard");
    }

    private static ShardSpec FromScheduler(int? shardCount, Func<string, string?> environment)
    {
        if (environment("SLURM_ARRAY_TASK_ID") is { } task)
        {
            if (!int.TryParse(task, out var t)) throw new UsageException($"--shard auto: SLURM_ARRAY_TASK_ID '{task}' is not a number");
            if (shardCount is { } n) return Checked(t, n, "--shard auto: SLURM_ARRAY_TASK_ID of --shard-count");
            var count = environment("SLURM_ARRAY_TASK_COUNT");
            if (!int.TryParse(count, out var c))
                throw new UsageException($"--shard auto: SLURM_ARRAY_TASK_COUNT '{count}' is not a number; give --shard-count N");
            int min = int.TryParse(environment("SLURM_ARRAY_TASK_MIN"), out var m) ? m : 0;
            return Checked(t - min, c, "--shard auto: the Slurm array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; use a contiguous --array)");
        }
        if (environment("JOB_COMPLETION_INDEX") is { } index)
        {
            if (!int.TryParse(index, out var k)) throw new UsageException($"--shard auto: JOB_COMPLETION_INDEX '{index}' is not a number");
            var total = shardCount ?? throw new UsageException("--shard auto in a Kubernetes Indexed Job needs --shard-count N (the Job's completions)");
            return Checked(k, total, "--shard auto: JOB_COMPLETION_INDEX of --shard-count");
        }
        throw new UsageException("--shard auto: neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) is set; give --shard I/N");
    }

    private static ShardSpec Checked(int index, int count, string source) =>
        count is >= 1 and <= 100_000 && index >= 0 && index < count
            ? new ShardSpec(index, count)
            : throw new UsageException($"{source}: shard {index} of {count} is out of range (0 <= I < N, N from 1 to 100000)");
}
