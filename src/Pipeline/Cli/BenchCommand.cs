using System.CommandLine;

namespace Pipeline.Cli;

public static class BenchCommand
{
    public static Command Create() => new("bench", "Time forward and gradient passes.");
}
