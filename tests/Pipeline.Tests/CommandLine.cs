using System.CommandLine;
using Pipeline.Cli;

namespace Pipeline.Tests;

/// <summary>Runs a Pipeline command in-process and captures what it prints.</summary>
public static class CommandLine
{
    private static readonly object ConsoleLock = new();

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try { return (PipelineCli.Invoke(args), stdout.ToString(), stderr.ToString()); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    /// <summary>
    /// Code that may print without running a command (parsing prints a note for an old option name),
    /// under the same lock with its output captured and dropped: tests run in parallel, and a line
    /// printed outside the lock lands in whichever command's output is being captured at that moment.
    /// </summary>
    public static T Quietly<T>(Func<T> action)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            try { return action(); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    public static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries");
    }

    public static string Shared(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "shared", "models")))
                return Path.Combine([dir.FullName, "shared", .. parts]);
        throw new DirectoryNotFoundException("no 'shared' folder above the test binaries");
    }
}
