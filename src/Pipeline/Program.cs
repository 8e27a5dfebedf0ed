using System.CommandLine;
using Pipeline.Cli;

var root = new RootCommand("Pipeline: class saliency maps and weakly supervised boxes from any ONNX ConvNet.");
root.Subcommands.Add(ExportGradCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return root.Parse(args).Invoke();
