using System.Diagnostics;

namespace Pipeline.Inference;

/// <summary>
/// What a benchmark reads: elapsed seconds, or the process's CPU seconds. CPU seconds at one
/// thread barely move when other work shares the machine; elapsed seconds are what a user waits.
/// </summary>
public sealed class BenchClock(bool cpuTime)
{
    public string Unit => cpuTime ? "CPU seconds" : "seconds";

    public double Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        if (!cpuTime) return watch.Elapsed.TotalSeconds;
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore).TotalSeconds;
    }

    /// <summary>The median of <paramref name="runs"/> timings after one untimed warm-up (the action itself unless a cheaper one is given).</summary>
    public double Median(int runs, Action action, Action? warmUp = null)
    {
        (warmUp ?? action)();
        var times = Enumerable.Range(0, runs).Select(_ => Time(action)).Order().ToArray();
        return times[times.Length / 2];
    }
}
