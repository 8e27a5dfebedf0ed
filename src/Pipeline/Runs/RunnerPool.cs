using System.Collections.Concurrent;

namespace Pipeline.Runs;

/// <summary>
/// The gradient runners (<see cref="GradientRunner"/>) of the images in flight. Concurrent runs on one ONNX Runtime session share
/// that session's intra-op thread pool, so two images at once with 8 threads each would share 8
/// threads: where a runner has more than one thread, each image in flight gets a runner of its own
/// (made when first needed). With one thread per image a session has no pool, and one is shared.
/// </summary>
public sealed class RunnerPool<TRunner>(TRunner first, int threadsEach, Func<TRunner> make) : IDisposable where TRunner : IDisposable
{
    private readonly ConcurrentStack<TRunner> _idle = new([first]);
    private readonly ConcurrentBag<TRunner> _made = [];

    public T Use<T>(Func<TRunner, T> work)
    {
        if (threadsEach <= 1) return work(first);
        if (!_idle.TryPop(out var runner))
        {
            runner = make();
            _made.Add(runner);
        }
        try { return work(runner); }
        finally { _idle.Push(runner); }
    }

    /// <summary>How many runners exist: the first and those made for images in flight.</summary>
    public int Count => 1 + _made.Count;

    /// <summary>Disposes the runners it made; the first belongs to the caller.</summary>
    public void Dispose()
    {
        foreach (var runner in _made) runner.Dispose();
    }
}
