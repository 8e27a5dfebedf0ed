using System.Diagnostics;

namespace Pipeline.Tests;

/// <summary>Runs the built Pipeline executable as its own process: for kills, and for a process's own peak memory.</summary>
public static class Subprocess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "Pipeline");

    public static Process Start(params string[] args) => Start(new Dictionary<string, string?>(), args);

    /// <summary>With these environment variables set, or removed where the value is null.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value == null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        return Process.Start(info)!;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    public static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
