using System.Diagnostics;
using Spectre.Console;

namespace Pipeline.Runs;

/// <summary>
/// Progress of a run on stderr: a live bar with rate and time left on a terminal (Spectre.Console),
/// a plain line every 10 seconds otherwise (a log file gets a readable record, not thousands of
/// carriage returns), nothing with --quiet. Notes (a skipped image) print on their own lines.
/// </summary>
public sealed class ProgressLine(int total, int finishedBefore, bool quiet)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan _lastLine = TimeSpan.Zero;
    private int _done;

    /// <summary>Calls `step` for each item, with the display running around it.</summary>
    public void Run<T>(IEnumerable<T> items, Action<T> step)
    {
        if (quiet || !_terminal)
        {
            foreach (var item in items)
            {
                step(item);
                Advance();
            }
            return;
        }
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Describe(), maxValue: total);
                task.Value = finishedBefore;
                foreach (var item in items)
                {
                    step(item);
                    _done++;
                    task.Increment(1);
                    task.Description = Describe();
                }
            });
    }

    /// <summary>Time left as [Nd ]hh:mm:ss: a week-long run must show its days.</summary>
    public static string Left(int images, double rate)
    {
        var seconds = Math.Min(images / Math.Max(1e-9, rate), TimeSpan.MaxValue.TotalSeconds / 2);
        var left = TimeSpan.FromSeconds(Math.Round(seconds));
        return left.Days > 0 ? $"{left.Days}d {left:hh\\:mm\\:ss}" : $"{left:hh\\:mm\\:ss}";
    }

    private string Describe()
    {
        double rate = _done / Math.Max(1e-9, _watch.Elapsed.TotalSeconds);
        return $"{finishedBefore + _done}/{total} images, {rate:F2}/s" + (_done > 0 ? $", {Left(total - finishedBefore - _done, rate)} left" : "");
    }

    private void Advance()
    {
        _done++;
        if (quiet) return;
        int finished = finishedBefore + _done;
        if (_watch.Elapsed - _lastLine < TimeSpan.FromSeconds(10) && finished != total) return;
        double rate = _done / Math.Max(1e-9, _watch.Elapsed.TotalSeconds);
        Console.Error.WriteLine($"{finished}/{total} images, {rate:F2} images/s, {Left(total - finished, rate)} left");
        _lastLine = _watch.Elapsed;
    }

    /// <summary>A message on its own line (a skipped image), above the live bar on a terminal.</summary>
    public void Note(string line)
    {
        if (quiet) return;
        if (_terminal) _console.MarkupLine(Markup.Escape(line));
        else Console.Error.WriteLine(line);
    }
}
