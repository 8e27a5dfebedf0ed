using System.CommandLine;
using GradientGraphs.Building;
using Google.Protobuf;

namespace Pipeline.Cli;

/// <summary>`Pipeline export-grad`: writes the gradient model of an ONNX classifier.</summary>
public static class ExportGradCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "source ONNX model", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "where to write the gradient model", Required = true };
        var rule = new Option<BackwardRule>("--rule") { Description = "ReLU backward: gradient (default), deconvnet or guided", DefaultValueFactory = _ => BackwardRule.Gradient };
        var scoreOutput = new Option<string?>("--output") { Description = "the output that holds the class scores (default: the only output)" };
        var command = new Command("export-grad", "Build the input gradient of a class score into an ONNX model.") { model, output, rule, scoreOutput };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            var bytes = ModelFiles.Read(source);
            var gradientModel = GradientGraphBuilder.Build(bytes, new BuildOptions { Rule = parse.GetValue(rule), ScoreOutput = parse.GetValue(scoreOutput) });
            target.Directory?.Create();
            File.WriteAllBytes(target.FullName, gradientModel.ToByteArray());
            Console.WriteLine($"wrote {target.FullName} ({gradientModel.Graph.Node.Count} nodes, rule {parse.GetValue(rule).ToString().ToLowerInvariant()})");
        }));
        return command;
    }
}
