namespace Pipeline;

/// <summary>
/// Bad input from the user (a file, its contents, a folder's state): the message names the file and
/// the reason. Every layer may throw it; the CLI prints it as one line and exits with code 1.
/// </summary>
public class InputException(string message) : Exception(message);

/// <summary>A command line that cannot run as given (an option out of range, a clash of options): exit code 2.</summary>
public sealed class UsageException(string message) : InputException(message);

/// <summary>Messages shown as one line.</summary>
public static class Messages
{
    public static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
