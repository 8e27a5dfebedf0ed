using GradientGraphs.Building;

namespace Pipeline.Cli;

/// <summary>Turns an expected failure into one line on stderr and exit code 1; never a stack trace for bad input.</summary>
public static class CommandErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is GraphException or InputException or IOException or UnauthorizedAccessException or Google.Protobuf.InvalidProtocolBufferException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}

/// <summary>Bad input from the user: the message names the file and the reason.</summary>
public sealed class InputException(string message) : Exception(message);
