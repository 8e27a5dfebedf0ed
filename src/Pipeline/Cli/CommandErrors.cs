using GradientGraphs.Building;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Cli;

/// <summary>
/// Exit codes and one-line errors: 0 done, 1 failed (bad input, nothing produced), 2 usage (an option
/// out of range). No input gives a stack trace; PIPELINE_DEBUG=1 prints one for unexpected errors.
/// </summary>
public static class CommandErrors
{
    public const int Done = 0, Failed = 1, Usage = 2;

    public static int Run(Action action) => Run(() => { action(); return Done; });

    public static int Run(Func<int> action)
    {
        try { return action(); }
        catch (UsageException e) { return Report($"error: {e.Message}", Usage); }
        catch (Exception e) when (e is GraphException or InputException or OnnxRuntimeException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return Report($"error: {Messages.FirstLine(e.Message)}", Failed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Report($"error: {Messages.FirstLine(e.Message)}", Failed); }
        catch (Exception e) when (NativeLibraries.Missing(e) is { } missing) { return Report($"error: {missing}", Failed); }
        catch (Exception e)
        {
            if (Environment.GetEnvironmentVariable("PIPELINE_DEBUG") == "1") Console.Error.WriteLine(e);
            return Report($"error: unexpected {e.GetType().Name}: {Messages.FirstLine(e.Message)} (PIPELINE_DEBUG=1 shows where)", Failed);
        }
    }

    private static int Report(string line, int code)
    {
        Console.Error.WriteLine(line);
        return code;
    }
}
