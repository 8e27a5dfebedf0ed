using Pipeline.Runs;

namespace Pipeline.Tests;

public class RunnerPoolTests
{
    private sealed class Runner : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    /// <summary>Two users at once, each holding its runner until both hold one: which runners did they get?</summary>
    private static (Runner A, Runner B, List<Runner> Made) TwoAtOnce(int threadsEach, Runner first)
    {
        var made = new List<Runner>();
        using var pool = new RunnerPool<Runner>(first, threadsEach, () => { var r = new Runner(); lock (made) made.Add(r); return r; });
        using var both = new Barrier(2);
        Runner Hold() => pool.Use(r => { both.SignalAndWait(TimeSpan.FromSeconds(10)); return r; });
        var a = Task.Run(Hold);
        var b = Task.Run(Hold);
        return (a.Result, b.Result, made);
    }

    [Fact]
    public void Images_in_flight_get_runners_of_their_own_when_a_runner_has_a_thread_pool()
    {
        var first = new Runner();
        var (a, b, made) = TwoAtOnce(threadsEach: 8, first);

        Assert.NotSame(a, b);
        Assert.Contains(first, new[] { a, b });
        var extra = Assert.Single(made);
        Assert.True(extra.Disposed);   // the pool disposes what it made
        Assert.False(first.Disposed);  // and leaves the caller's runner to the caller
    }

    [Fact]
    public void With_one_thread_each_the_first_runner_is_shared()
    {
        var first = new Runner();
        var (a, b, made) = TwoAtOnce(threadsEach: 1, first);

        Assert.Same(first, a);
        Assert.Same(first, b);
        Assert.Empty(made);
    }
}
