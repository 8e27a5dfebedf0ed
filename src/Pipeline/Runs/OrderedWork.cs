namespace Pipeline.Runs;

/// <summary>
/// Work on several items at once, results handed back in the items' order: a run computes images on
/// `workers` threads and still commits them one by one in list order, so its files are the same as
/// a one-at-a-time run's and a kill loses only the images in flight. At most `workers` items are
/// computed at a time and at most twice that many wait, finished, for their turn.
/// </summary>
public static class OrderedWork
{
    public static IEnumerable<TResult> Ahead<TItem, TResult>(IReadOnlyList<TItem> items, int workers, Func<TItem, TResult> compute)
    {
        if (workers <= 1)
        {
            foreach (var item in items) yield return compute(item);
            yield break;
        }
        using var running = new SemaphoreSlim(workers);
        var window = new Queue<Task<TResult>>();
        int next = 0;
        void Start()
        {
            var item = items[next++];
            // A thread of its own (LongRunning), not a pool thread: an image holds it for a second or so,
            // and the stages' own Parallel.For calls need the pool.
            window.Enqueue(Task.Factory.StartNew(() =>
            {
                running.Wait();
                try { return compute(item); }
                finally { running.Release(); }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }
        while (next < items.Count && window.Count < 2 * workers) Start();
        while (window.Count > 0)
        {
            // GetResult rethrows the item's own exception, not an AggregateException.
            var result = window.Dequeue().GetAwaiter().GetResult();
            if (next < items.Count) Start();
            yield return result;
        }
    }
}
