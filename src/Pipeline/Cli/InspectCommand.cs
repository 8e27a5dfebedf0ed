using System.CommandLine;
using GradientGraphs.Building;

namespace Pipeline.Cli;

/// <summary>`Pipeline inspect`: inputs, outputs, op histogram, and whether the gradient can be built.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "ONNX model", Required = true };
        var command = new Command("inspect", "Print a model's inputs, outputs and ops, and whether every op is supported.") { model };
        command.SetAction(parse => CommandErrors.Run(int () =>
        {
            var file = parse.GetValue(model)!;
            var report = ModelInspection.Of(ModelFiles.Read(file));
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
}
