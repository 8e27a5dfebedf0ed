using System.Diagnostics;

namespace Pipeline.Tests;

/// <summary>Debian's python3 (with python3-numpy, scripts/setup.sh): an independent reader of what we write.</summary>
public static class Python
{
    public static string Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3 failed: {stderr.Result}");
        return stdout.Result.Trim();
    }
}
