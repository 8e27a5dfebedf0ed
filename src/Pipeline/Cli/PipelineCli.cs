using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>The commands, and the exit code for a command line that does not parse (2, usage).</summary>
public static class PipelineCli
{
    public static RootCommand Root() => new("Pipeline: class saliency maps and weakly supervised boxes from any ONNX ConvNet.")
    {
        ExportGradCommand.Create(), ExportExplainerCommand.Create(), InspectCommand.Create(), RunCommand.Create(), MergeCommand.Create(),
        EvalCommand.Create(), BenchCommand.Create(), VisualiseCommand.Create(),
    };

    public static int Invoke(string[] args)
    {
        var parse = Root().Parse(args);
        if (parse.Errors.Count == 0 || parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?")) return parse.Invoke();
        foreach (var error in parse.Errors) Console.Error.WriteLine($"usage error: {error.Message}");
        Console.Error.WriteLine("(Pipeline --help lists the commands; Pipeline COMMAND --help their options)");
        return CommandErrors.Usage;
    }
}
