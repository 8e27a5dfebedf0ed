using Microsoft.ML.OnnxRuntime;
using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.Explainer;

/// <summary>One image's answer from an explainer model.</summary>
public sealed record Explanation(long[] Classes, float[] Scores, float[] Saliency, int Height, int Width, byte[]? OverlayPng)
{
    /// <summary>The map of the k-th class (rank order), [Height * Width] row-major.</summary>
    public ReadOnlySpan<float> Map(int k) => Saliency.AsSpan(k * Height * Width, Height * Width);
}

/// <summary>
/// An explainer model (`export-explainer`, either input) in a plain ONNX Runtime session, with only the
/// ONNX Runtime Extensions library registered (for DecodeImage and EncodeImage). Every input is
/// checked before it reaches the graph, which cannot refuse anything itself: file bytes by
/// DecodeImageGuard, pixels by their shape, both against a pixel bound, and k against the classes
/// and a bound of its own (one backward pass holds all k classes, so memory grows with k; README).
/// </summary>
public sealed class ExplainerSession : IDisposable
{
    public const long DefaultMaxPixels = 100_000_000;
    public const int DefaultMaxK = 10;

    private readonly InferenceSession _session;
    private readonly bool _overlay;
    private readonly bool _pixels;
    private readonly int _classes;
    private readonly long _maxPixels;
    private readonly int _maxK;

    public ExplainerSession(byte[] model, int threads = 0, long maxPixels = DefaultMaxPixels, int maxK = DefaultMaxK)
    {
        OrtSessions.QuietEnvironment();
        if (maxPixels < 1) throw new ArgumentOutOfRangeException(nameof(maxPixels), "at least 1");
        if (maxK < 1) throw new ArgumentOutOfRangeException(nameof(maxK), "at least 1");
        using var options = OrtSessions.Options(threads);
        options.RegisterOrtExtensions();
        _session = new InferenceSession(model, options);
        _overlay = _session.OutputMetadata.ContainsKey(ExplainerGraph.OverlayOutput);
        _pixels = _session.InputMetadata.ContainsKey(ExplainerGraph.ImagePixelsInput);
        _maxPixels = maxPixels;
        _maxK = maxK;
        if (!_session.ModelMetadata.CustomMetadataMap.TryGetValue(ModelCard.MetadataKey, out var card))
        {
            _session.Dispose();
            throw new InputException("not an explainer model (no model card in its metadata)");
        }
        _classes = ModelCard.Parse(card, "the explainer's card").Classes.Count;
    }

    /// <summary>An encoded image file (the model from `--input bytes`); `name` names it in refusals.</summary>
    public Explanation Explain(byte[] imageFile, int k, string name = "image")
    {
        if (_pixels) throw new InputException("this explainer takes RGBA pixels (--input pixels): call Explain(rgba, height, width, k)");
        CheckK(k);
        DecodeImageGuard.Check(imageFile, name, _maxPixels);
        using var bytes = OrtValue.CreateTensorValueFromMemory(imageFile, [imageFile.Length]);
        return Run(ExplainerGraph.ImageBytesInput, bytes, k, name);
    }

    /// <summary>Decoded pixels, uint8 RGBA row-major [height, width, 4] (the model from `--input pixels`).</summary>
    public Explanation Explain(byte[] rgba, int height, int width, int k, string name = "image")
    {
        if (!_pixels) throw new InputException("this explainer takes image file bytes (--input bytes): call Explain(file, k)");
        CheckK(k);
        if (height < 1 || width < 1) throw new InputException($"{name}: {width}x{height} pixels: both sides must be at least 1");
        if ((long)height * width > _maxPixels) throw new InputException($"{name}: {width}x{height} is {(long)height * width} pixels, above the limit of {_maxPixels}");
        if (rgba.Length != (long)height * width * 4) throw new InputException($"{name}: {rgba.Length} bytes, not {width}x{height} RGBA ({(long)height * width * 4} bytes)");
        using var pixels = OrtValue.CreateTensorValueFromMemory(rgba, [height, width, 4]);
        return Run(ExplainerGraph.ImagePixelsInput, pixels, k, name);
    }

    // The graph clamps k itself, but memory grows with it: a k out of range is a caller's mistake, not a request to clamp.
    private void CheckK(int k)
    {
        int limit = Math.Min(_maxK, _classes);
        if (k < 1 || k > limit)
            throw new InputException($"k = {k}: expected 1..{limit} ({(limit == _classes ? "the model's classes" : "maxK: each class adds a backward pass's memory")})");
    }

    private Explanation Run(string inputName, OrtValue image, int k, string name)
    {
        using var top = OrtValue.CreateTensorValueFromMemory(new long[] { k }, [1]);
        string[] names = _overlay
            ? [ExplainerGraph.ClassesOutput, ExplainerGraph.ScoresOutput, ExplainerGraph.SaliencyOutput, ExplainerGraph.OverlayOutput]
            : [ExplainerGraph.ClassesOutput, ExplainerGraph.ScoresOutput, ExplainerGraph.SaliencyOutput];
        using var runOptions = new RunOptions();
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try { outputs = _session.Run(runOptions, new Dictionary<string, OrtValue> { [inputName] = image, [ExplainerGraph.TopKInput] = top }, names); }
        catch (OnnxRuntimeException e) { throw new InputException($"{name}: the explainer failed on it: {Messages.FirstLine(e.Message)}"); }
        using (outputs)
        {
            var shape = outputs[2].GetTensorTypeAndShape().Shape;
            return new Explanation(outputs[0].GetTensorDataAsSpan<long>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray(),
                outputs[2].GetTensorDataAsSpan<float>().ToArray(), (int)shape[1], (int)shape[2],
                _overlay ? outputs[3].GetTensorDataAsSpan<byte>().ToArray() : null);
        }
    }

    public void Dispose() => _session.Dispose();
}
