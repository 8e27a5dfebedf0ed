using System.CommandLine;
using Google.Protobuf;
using GradientGraphs.Building;
using Pipeline.Explainer;
using Pipeline.Inference;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline export-explainer`: one ONNX model from image file bytes to the top-k classes and their
/// saliency maps (ONNX Runtime Extensions' DecodeImage for decoding, standard ONNX for the rest).
/// </summary>
public static class ExportExplainerCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("source ONNX classifier, or a gradient model from export-grad");
        var output = SharedOptions.OutFile("where to write the explainer model");
        var card = SharedOptions.Card();
        var cardOverride = SharedOptions.CardOverride();
        var crops = Choice.Of("--crops", "10 (corners, centre and mirrors) or 1 (centre, or the squashed image)", [("10", 10), ("1", 1)], "10");
        var rule = SharedOptions.Rule("ReLU backward when building from a source model");
        var scoreOutput = new Option<string?>("--output") { Description = "the output that holds the class scores (source model; default: the only output)" };
        var overlay = new Option<bool>("--overlay") { Description = "also output overlay_png: the top-1 map on the image, PNG-encoded (EncodeImage)" };
        var input = Choice.Of("--input", "bytes: the encoded JPEG/PNG file, decoded in the graph (needs ONNX Runtime Extensions); pixels: uint8 RGBA [H, W, 4] the host decoded (standard ONNX only)", ExplainerInput.Bytes);
        var command = new Command("export-explainer", "Write one ONNX model from image file bytes (or decoded pixels) to top-k classes and saliency maps.")
            { model, output, card, cardOverride, crops, rule, scoreOutput, overlay, input };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            int cropCount = parse.GetValue(crops);
            var inputKind = parse.GetValue(input);
            ExplainerGraph.CheckOptions(cropCount, parse.GetValue(overlay), inputKind);
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            var bytes = ModelFiles.Read(source);
            var parsed = Onnx.ModelProto.Parser.ParseFrom(bytes);
            var gradientModel = GradientModelInfo.IsGradientModel(parsed) ? parsed
                : GradientGraphBuilder.Build(bytes, new BuildOptions { Method = parse.GetValue(rule), ScoreOutput = parse.GetValue(scoreOutput) });
            var modelCard = CardChoice.For(GradientModelInfo.Read(gradientModel, source.FullName), parse.GetValue(card), parse.GetValue(cardOverride));
            using (var runner = new GradientRunner(gradientModel.ToByteArray(), new DeviceChoice("cpu"), 1, source.Name))
                modelCard.CheckFits(runner.ImageShape, runner.ScoreCount(), source.Name);
            var explainer = ExplainerGraph.Build(gradientModel, modelCard, cropCount, parse.GetValue(overlay), inputKind);
            target.Directory?.Create();
            File.WriteAllBytes(target.FullName, explainer.ToByteArray());
            Console.WriteLine(inputKind == ExplainerInput.Pixels
                ? $"wrote {target.FullName} ({explainer.Graph.Node.Count} nodes, {cropCount} crops, RGBA pixels in; standard ONNX only: check the pixel count before running it)"
                : $"wrote {target.FullName} ({explainer.Graph.Node.Count} nodes, {cropCount} crops{(parse.GetValue(overlay) ? ", overlay" : "")}; run it with ONNX Runtime Extensions registered)");
        }));
        return command;
    }
}
