using GradientGraphs.Building;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference;

namespace Pipeline.Stages;

/// <summary>Stage 3: a gradient model on ONNX Runtime: class scores and input gradients for chosen classes.</summary>
public sealed class GradientRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _scoreOutput;

    public string ImageInput { get; }
    public long[] ImageShape { get; }
    public string Device { get; }

    public GradientRunner(byte[] gradientModel, DeviceChoice device, int threads)
    {
        _session = OrtSessions.Create(gradientModel, device, threads, out var used);
        Device = used;
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(GradientModelContract.ScoreTensorKey, out var scoreTensor) || !_session.InputMetadata.ContainsKey(GradientModelContract.ClassIndexInput))
            throw new Cli.InputException("the model is not a gradient model: make one with `Pipeline export-grad`");
        _scoreOutput = metadata[GradientModelContract.ScoreOutputKey];
        ImageInput = metadata[GradientModelContract.ImageInputKey];
        ImageShape = _session.InputMetadata[ImageInput].Dimensions.Select(d => (long)d).ToArray();
    }

    /// <summary>Scores [N, classes] (the score output) and input_grad [N, K, C, H, W] for classIndex [N][K].</summary>
    public (float[] Scores, float[] Gradients) Run(float[] images, int count, long[][] classIndex)
    {
        long[] shape = [count, .. ImageShape[1..]];
        using var image = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var classes = OrtValue.CreateTensorValueFromMemory(classIndex.SelectMany(r => r).ToArray(), [count, classIndex[0].Length]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions,
            new Dictionary<string, OrtValue> { [ImageInput] = image, [GradientModelContract.ClassIndexInput] = classes },
            [_scoreOutput, GradientModelContract.InputGradOutput]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    public void Dispose() => _session.Dispose();
}
