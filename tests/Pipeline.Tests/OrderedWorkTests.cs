using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>Runs compute images on several workers and commit them in list order.</summary>
public class OrderedWorkTests
{
    [Fact]
    public void Results_come_in_item_order_with_at_most_the_asked_workers_at_once()
    {
        int running = 0, most = 0;
        var items = Enumerable.Range(0, 40).ToList();
        var results = OrderedWork.Ahead(items, 3, i =>
        {
            int now = Interlocked.Increment(ref running);
            lock (items) most = Math.Max(most, now);
            // The first three wait for each other: with fewer than three at once they would wait in vain.
            if (i < 3) SpinWait.SpinUntil(() => Volatile.Read(ref running) >= 3, TimeSpan.FromSeconds(10));
            Thread.Sleep(i % 4 == 0 ? 20 : 2); // later items finish before earlier ones
            lock (items) most = Math.Max(most, running);
            Interlocked.Decrement(ref running);
            return i * i;
        }).ToList();
        Assert.Equal(items.Select(i => i * i), results);
        Assert.Equal(3, most);
    }

    [Fact]
    public void An_items_exception_reaches_the_caller_as_itself_after_the_earlier_results()
    {
        var seen = new List<int>();
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var r in OrderedWork.Ahead(Enumerable.Range(0, 10).ToList(), 2, i => i == 5 ? throw new InvalidDataException("item 5") : i))
                seen.Add(r);
        });
        Assert.Equal("item 5", error.Message);
        Assert.Equal([0, 1, 2, 3, 4], seen);
    }

    [Fact]
    public void Stopping_early_waits_for_the_items_in_flight_and_starts_no_more()
    {
        int started = 0, finished = 0;
        var items = Enumerable.Range(0, 20).ToList();
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var _ in OrderedWork.Ahead(items, 2, i =>
            {
                Interlocked.Increment(ref started);
                if (i == 0) throw new InvalidDataException("item 0");
                Thread.Sleep(50); // still running when item 0's error reaches the caller
                Interlocked.Increment(ref finished);
                return i;
            })) { }
        });
        Assert.Equal("item 0", error.Message);
        // Back in the caller, every item that began has ended (what they use may now be disposed) ...
        Assert.Equal(Volatile.Read(ref started) - 1, Volatile.Read(ref finished));
        // ... and none begins later.
        int after = Volatile.Read(ref started);
        Thread.Sleep(200);
        Assert.Equal(after, Volatile.Read(ref started));
        Assert.InRange(after, 1, 4);
    }

    [Fact]
    public void One_worker_computes_each_item_when_its_turn_comes()
    {
        var computed = new List<int>();
        using var e = OrderedWork.Ahead(Enumerable.Range(0, 3).ToList(), 1, i => { computed.Add(i); return i; }).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal([0], computed);
    }
}
