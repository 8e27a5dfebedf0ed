namespace Pipeline.Runs;

/// <summary>
/// Work on several items at once, results handed back in the items' order: a run computes images on
/// `workers` threads and still commits them one by one in list order, so its files are the same as
/// a one-at-a-time run's and a kill loses only the images in flight. At most `workers` items are
/// computed at a time, and at most 2 x `workers` are started and not yet handed back.
/// When the caller stops early (an exception that ends the run), items not yet begun are skipped and
/// the ones in flight are waited for, so nothing they use (a session) is disposed under them.
/// </summary>
public static class OrderedWork
{
    /// <summary>The threads each worker gets when `workers` share `threads`: rounded down, at least one.</summary>
    public static int ThreadsEach(int threads, int workers) => Math.Max(1, threads / workers);

    public static IEnumerable<TResult> Ahead<TItem, TResult>(IReadOnlyList<TItem> items, int workers, Func<TItem, TResult> compute)
    {
        if (workers <= 1)
        {
            foreach (var item in items) yield return compute(item);
            yield break;
        }
        using var running = new SemaphoreSlim(workers);
        var window = new Queue<Task<TResult>>();
        bool stopped = false;
        int next = 0;
        void Start()
        {
            var item = items[next++];
            // A thread of its own (LongRunning), not a pool thread: an image holds it for a second or so,
            // and the stages' own Parallel.For calls need the pool.
            window.Enqueue(Task.Factory.StartNew(() =>
            {
                running.Wait();
                try { return Volatile.Read(ref stopped) ? default! : compute(item); }
                finally { running.Release(); }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }
        try
        {
            while (next < items.Count && window.Count < 2 * workers) Start();
            while (window.Count > 0)
            {
                // GetResult rethrows the item's own exception, not an AggregateException.
                var result = window.Dequeue().GetAwaiter().GetResult();
                if (next < items.Count) Start();
                yield return result;
            }
        }
        finally
        {
            Volatile.Write(ref stopped, true);
            foreach (var task in window)
                try { task.Wait(); }
                catch (AggregateException) { } // the run is ending on an earlier error; this item's is not reported
        }
    }
}
