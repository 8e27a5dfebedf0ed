namespace Pipeline.Runs;

/// <summary>
/// A test hook: PIPELINE_FAIL_IMAGES=id1,id2 makes those images fail as an internal error would (not
/// as bad input), so that the tests can check how a run records and retries such failures.
/// </summary>
public static class FaultInjection
{
    public const string Variable = "PIPELINE_FAIL_IMAGES";

    private static readonly HashSet<string> Failing =
        (Environment.GetEnvironmentVariable(Variable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    public static void Check(string imageId)
    {
        if (Failing.Contains(imageId)) throw new InvalidOperationException($"injected failure ({Variable})");
    }
}
