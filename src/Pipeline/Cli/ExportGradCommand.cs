using System.CommandLine;
using Google.Protobuf;
using GradientGraphs.Building;
using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.Cli;

/// <summary>`Pipeline export-grad`: writes the gradient model of an ONNX classifier.</summary>
public static class ExportGradCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("source ONNX model");
        var output = SharedOptions.OutFile("where to write the gradient model");
        var rule = SharedOptions.Rule("ReLU backward");
        var scoreOutput = new Option<string?>("--output") { Description = "the output that holds the class scores (default: the only output)" };
        var card = SharedOptions.Card();
        card.Description = "model card JSON to store in the model (pre-processing and classes; see models/onnx)";
        var cam = new Option<bool>("--cam") { Description = "also output the Grad-CAM map of the last spatial feature layer (class_activation), for run --map cam or saliency-x-cam" };
        var camLayer = new Option<string?>("--cam-layer") { Description = "with --cam: the feature layer by its tensor's name (default: the last spatial one; a wrong name lists them)" };
        var command = new Command("export-grad", "Build the input gradient of a class score into an ONNX model.") { model, output, rule, scoreOutput, card, cam, camLayer };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            var bytes = ModelFiles.Read(source);
            var options = new BuildOptions { Method = parse.GetValue(rule), ScoreOutput = parse.GetValue(scoreOutput), ClassActivation = parse.GetValue(cam), ClassActivationLayer = parse.GetValue(camLayer) };
            Onnx.ModelProto gradientModel;
            try { gradientModel = GradientGraphBuilder.Build(bytes, options); }
            catch (LayerChoiceException e) { throw new UsageException(e.Message); }
            if (parse.GetValue(card) is { } cardFile) StoreCard(gradientModel, ModelCard.Load(cardFile.FullName), source.Name);
            target.Directory?.Create();
            File.WriteAllBytes(target.FullName, gradientModel.ToByteArray());
            Console.WriteLine($"wrote {target.FullName} ({gradientModel.Graph.Node.Count} nodes, rule {parse.GetValue(rule).ToString().ToLowerInvariant()})");
        }));
        return command;
    }

    /// <summary>Checks the card against the model (input size, number of scores) and stores it in metadata_props.</summary>
    private static void StoreCard(Onnx.ModelProto gradientModel, ModelCard card, string modelName)
    {
        var bytes = gradientModel.ToByteArray();
        using var runner = new GradientRunner(bytes, new DeviceChoice("cpu"), 1);
        card.CheckFits(runner.ImageShape, runner.ScoreCount(), modelName);
        gradientModel.MetadataProps.Add(new Onnx.StringStringEntryProto { Key = ModelCard.MetadataKey, Value = card.ToJson() });
    }
}
