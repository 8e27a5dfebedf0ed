namespace Pipeline.Tests;

/// <summary>The shared Tiny Darknet made into a gradient model with its own card, once per test class.</summary>
public sealed class TinyDarknetFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("pipeline-tiny-").FullName;
    public string Model { get; }
    public static string Card => Path.Combine(CommandLine.Repository(), "models", "onnx", "tiny_darknet.card.json");

    public TinyDarknetFixture()
    {
        Model = Path.Combine(Dir, "tiny_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "tiny_darknet.onnx"), "--out", Model, "--card", Card);
        if (code != 0) throw new InvalidOperationException(stderr);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
