using System.CommandLine;
using GradientGraphs.Building;
using Pipeline.Inference;

namespace Pipeline.Cli;

/// <summary>`Pipeline inspect`: inputs, outputs, op histogram, and whether the gradient can be built.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("ONNX model");
        var command = new Command("inspect", "Print a model's inputs, outputs and ops, and whether every op is supported.") { model };
        command.SetAction(parse => CommandErrors.Run(int () =>
        {
            var file = parse.GetValue(model)!;
            var bytes = ModelFiles.Read(file);
            var parsed = Onnx.ModelProto.Parser.ParseFrom(bytes);
            // A gradient model is not a classifier to differentiate again: it is described by its contract.
            if (GradientModelInfo.IsGradientModel(parsed)) return DescribeGradientModel(parsed, file);
            var report = ModelInspection.Of(bytes);
            Console.WriteLine($"model   {file.FullName}");
            Console.WriteLine($"opsets  {string.Join(", ", report.Opsets)}");
            foreach (var i in report.Inputs) Console.WriteLine($"input   {i}");
            foreach (var o in report.Outputs) Console.WriteLine($"output  {o}");
            Console.WriteLine("ops");
            foreach (var (op, count, supported) in report.Ops)
                Console.WriteLine($"  {op,-22}{count,6}  {(supported ? "supported" : "NO RULE")}");
            if (report.Refusal == null)
            {
                Console.WriteLine("gradient: every op on the path is supported");
                return CommandErrors.Done;
            }
            // The report above is for reading; the refusal is an error, with its exit code.
            Console.Error.WriteLine($"error: {file.FullName}: no gradient: {Messages.FirstLine(report.Refusal)}");
            return CommandErrors.Failed;
        }));
        return command;
    }

    private static int DescribeGradientModel(Onnx.ModelProto model, FileInfo file)
    {
        var info = GradientModelInfo.Read(model, file.FullName);
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        Console.WriteLine($"model   {file.FullName}");
        Console.WriteLine($"gradient model, builder {info.BuilderVersion ?? "unrecorded"}, rule {info.Rule.ToString().ToLowerInvariant()}");
        foreach (var i in model.Graph.Input.Where(i => !initializers.Contains(i.Name))) Console.WriteLine($"input   {ModelInspection.Describe(i)}");
        foreach (var o in model.Graph.Output) Console.WriteLine($"output  {ModelInspection.Describe(o)}");
        Console.WriteLine($"image   {info.ImageInput}");
        Console.WriteLine($"scores  {info.ScoreOutput}{(info.ScoreIsSoftmax ? " (softmax probabilities)" : "")}, gradient of {info.ScoreTensor}");
        if (info.CamTensor != null) Console.WriteLine($"cam     {info.CamTensor}");
        if (info.SourceSha256 != null) Console.WriteLine($"source  sha256 {info.SourceSha256}");
        if (info.StoredCard is { } card)
            Console.WriteLine($"card    '{card.Name}', {card.Classes.Count} classes, {card.InputSize}x{card.InputSize} {card.ChannelOrder}, resize {card.Resize}");
        else if (info.StoredCardProblem == null) Console.WriteLine("card    none stored (commands need --card)");
        if (info.StoredCardProblem == null) return CommandErrors.Done;
        Console.Error.WriteLine($"error: {info.StoredCardProblem}");
        return CommandErrors.Failed;
    }
}
