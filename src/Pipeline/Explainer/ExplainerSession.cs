using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference;

namespace Pipeline.Explainer;

/// <summary>One image's answer from an explainer model.</summary>
public sealed record Explanation(long[] Classes, float[] Scores, float[] Saliency, int Height, int Width, byte[]? OverlayPng)
{
    /// <summary>The map of the k-th class (rank order), [Height * Width] row-major.</summary>
    public ReadOnlySpan<float> Map(int k) => Saliency.AsSpan(k * Height * Width, Height * Width);
}

/// <summary>
/// An explainer model (`export-explainer`) in a plain ONNX Runtime session, with only the
/// ONNX Runtime Extensions library registered (for DecodeImage and EncodeImage).
/// </summary>
public sealed class ExplainerSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _overlay;

    public ExplainerSession(byte[] model, int threads = 0)
    {
        OrtSessions.QuietEnvironment();
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };
        options.RegisterOrtExtensions();
        _session = new InferenceSession(model, options);
        _overlay = _session.OutputMetadata.ContainsKey(ExplainerGraph.OverlayOutput);
    }

    public Explanation Explain(byte[] imageFile, int k)
    {
        RequireJpegOrPng(imageFile);
        using var bytes = OrtValue.CreateTensorValueFromMemory(imageFile, [imageFile.Length]);
        using var top = OrtValue.CreateTensorValueFromMemory(new long[] { k }, [1]);
        string[] names = _overlay
            ? [ExplainerGraph.ClassesOutput, ExplainerGraph.ScoresOutput, ExplainerGraph.SaliencyOutput, ExplainerGraph.OverlayOutput]
            : [ExplainerGraph.ClassesOutput, ExplainerGraph.ScoresOutput, ExplainerGraph.SaliencyOutput];
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new Dictionary<string, OrtValue> { [ExplainerGraph.ImageBytesInput] = bytes, [ExplainerGraph.TopKInput] = top }, names);
        var shape = outputs[2].GetTensorTypeAndShape().Shape;
        return new Explanation(outputs[0].GetTensorDataAsSpan<long>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray(),
            outputs[2].GetTensorDataAsSpan<float>().ToArray(), (int)shape[1], (int)shape[2],
            _overlay ? outputs[3].GetTensorDataAsSpan<byte>().ToArray() : null);
    }

    /// <summary>
    /// DecodeImage reads JPEG and PNG only, and hands anything that is not PNG to libjpeg, whose
    /// default error handler ends the process ("Not a JPEG file"): other bytes are refused here.
    /// </summary>
    public static void RequireJpegOrPng(ReadOnlySpan<byte> file)
    {
        bool png = file.Length >= 8 && file[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        bool jpeg = file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF;
        if (!png && !jpeg) throw new InputException("the explainer reads JPEG or PNG files only (DecodeImage); this is neither");
    }

    public void Dispose() => _session.Dispose();
}
