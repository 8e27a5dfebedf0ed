using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>The commands, and the exit code for a command line that does not parse (2, usage).</summary>
public static class PipelineCli
{
    /// <summary>The commands; a new command is one line here.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("Pipeline: class saliency maps and weakly supervised boxes from any ONNX ConvNet.")
        {
            ExportGradCommand.Create(), ExportExplainerCommand.Create(), InspectCommand.Create(), RunCommand.Create(), MergeCommand.Create(),
            EvalCommand.Create(), BenchCommand.Create(), VisualiseCommand.Create(), MeasureCommand.Create(), SanityCommand.Create(),
        };
        return root;
    }

    public static int Invoke(string[] args)
    {
        var root = Root();
        var parse = root.Parse(OldNames.Rewrite(root, args));
        if (parse.Errors.Count == 0 || parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
            return parse.Invoke();
        // A value refused by Choice or Number is one line naming the option, as any refusal; an unknown
        // option or a missing one (System.CommandLine's own words) also points to help.
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {Readable(error.Message)}");
        if (parse.Errors.Any(e => !e.Message.StartsWith("--")))
            Console.Error.WriteLine("(Pipeline --help lists the commands; Pipeline COMMAND --help their options)");
        return CommandErrors.Usage;
    }

    /// <summary>System.CommandLine names .NET types in its parse errors (options not declared through Number or Choice); a user reads "expected a whole number".</summary>
    private static string Readable(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @" as expected type '(?:System\.Nullable`1\[)?([\w.]+)\]?'", m => m.Groups[1].Value switch
        {
            "System.Int32" or "System.Int64" => ": expected a whole number",
            "System.Double" or "System.Single" => ": expected a number",
            "System.Boolean" => ": expected true or false",
            var other => $": expected {other[(other.LastIndexOf('.') + 1)..]}",
        });
}
