using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>The commands, and the exit code for a command line that does not parse (2, usage).</summary>
public static class PipelineCli
{
    public static RootCommand Root() => new("Pipeline: class saliency maps and weakly supervised boxes from any ONNX ConvNet.")
    {
        ExportGradCommand.Create(), ExportExplainerCommand.Create(), InspectCommand.Create(), RunCommand.Create(), MergeCommand.Create(),
        EvalCommand.Create(), BenchCommand.Create(), VisualiseCommand.Create(), MeasureCommand.Create(), SanityCommand.Create(),
    };

    public static int Invoke(string[] args)
    {
        var parse = Root().Parse(args);
        if (parse.Errors.Count == 0 || parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?")) return parse.Invoke();
        foreach (var error in parse.Errors) Console.Error.WriteLine($"usage error: {Readable(error.Message)}");
        Console.Error.WriteLine("(Pipeline --help lists the commands; Pipeline COMMAND --help their options)");
        return CommandErrors.Usage;
    }

    /// <summary>System.CommandLine names .NET types in its parse errors; a user reads "expected a whole number" or the choices.</summary>
    private static string Readable(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @" as expected type '(?:System\.Nullable`1\[)?([\w.]+)\]?'", m => m.Groups[1].Value switch
        {
            "System.Int32" or "System.Int64" => ": expected a whole number",
            "System.Double" or "System.Single" => ": expected a number",
            "System.Boolean" => ": expected true or false",
            var name when AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is { IsEnum: true }) is { } choices
                => ": expected " + string.Join(", ", Enum.GetNames(choices).Select(n => n.ToLowerInvariant())),
            var other => $": expected {other[(other.LastIndexOf('.') + 1)..]}",
        });
}
