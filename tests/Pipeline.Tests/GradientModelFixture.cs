namespace Pipeline.Tests;

/// <summary>The shared MobileNetV2 made into a gradient model with its card, once per test class.</summary>
public sealed class GradientModelFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("pipeline-model-").FullName;
    public string Model { get; }

    public GradientModelFixture()
    {
        Model = Path.Combine(Dir, "mnv2_grad.onnx");
        var card = Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", Model, "--card", card);
        if (code != 0) throw new InvalidOperationException(stderr);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
