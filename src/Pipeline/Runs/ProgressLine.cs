using System.Diagnostics;

namespace Pipeline.Runs;

/// <summary>
/// Progress on stderr: a line rewritten in place on a terminal, a plain line every 10 seconds
/// otherwise (a log file gets a readable record, not thousands of carriage returns), none with --quiet.
/// </summary>
public sealed class ProgressLine(int total, bool quiet)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private TimeSpan _lastLine = TimeSpan.Zero;
    private int _done;

    public void Advance(int finishedBefore)
    {
        _done++;
        if (quiet) return;
        int finished = finishedBefore + _done;
        double rate = _done / Math.Max(1e-9, _watch.Elapsed.TotalSeconds);
        var left = TimeSpan.FromSeconds((total - finished) / Math.Max(1e-9, rate));
        var text = $"{finished}/{total} images, {rate:F2} images/s, {left:hh\\:mm\\:ss} left";
        if (_terminal) Console.Error.Write($"\r{text}   ");
        else if (_watch.Elapsed - _lastLine >= TimeSpan.FromSeconds(10) || finished == total)
        {
            Console.Error.WriteLine(text);
            _lastLine = _watch.Elapsed;
        }
    }

    /// <summary>A message on its own line (a skipped image), not mixed into the progress line.</summary>
    public void Note(string line)
    {
        if (quiet) return;
        Console.Error.WriteLine(_terminal ? $"\r{line}" : line);
    }

    public void Finish()
    {
        if (!quiet && _terminal && _done > 0) Console.Error.WriteLine();
    }
}
