using Microsoft.ML.OnnxRuntime;

namespace GradientGraphs.Tests.Support;

/// <summary>A model on ONNX Runtime's CPU provider; every output comes back as floats.</summary>
public sealed class Ort : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _imageInput;

    public Ort(byte[] model, int threads = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(model, options);
        _imageInput = _session.InputMetadata.Keys.First(k => k != "class_index");
    }

    public IReadOnlyList<string> OutputNames => _session.OutputMetadata.Keys.ToList();

    public Dictionary<string, (float[] Values, long[] Shape)> Run(float[] image, long[] imageShape, long[][]? classIndex = null, string[]? outputs = null)
    {
        var inputs = new Dictionary<string, OrtValue> { [_imageInput] = OrtValue.CreateTensorValueFromMemory(image, imageShape) };
        if (classIndex != null)
            inputs["class_index"] = OrtValue.CreateTensorValueFromMemory(classIndex.SelectMany(r => r).ToArray(), [classIndex.Length, classIndex[0].Length]);
        try
        {
            var names = outputs ?? OutputNames.ToArray();
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, inputs, names);
            return names.Select((n, i) => (n, v: results[i])).ToDictionary(
                p => p.n,
                p => (p.v.GetTensorDataAsSpan<float>().ToArray(), p.v.GetTensorTypeAndShape().Shape));
        }
        finally
        {
            foreach (var v in inputs.Values) v.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
