using Google.Protobuf;
using GradientGraphs.Building;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Pipeline.Inference;

/// <summary>
/// Stage 3: a gradient model on ONNX Runtime. Class scores come from its forward part alone (a
/// second session without the backward), so ranking the classes costs one forward pass; gradients
/// for the chosen classes then cost one forward and one backward pass over all K classes, run
/// through I/O binding (<see cref="BoundRun"/>).
/// </summary>
public sealed class GradientRunner : IDisposable
{
    private readonly InferenceSession _forward;
    private readonly InferenceSession _gradient;
    private readonly string _scoreOutput;
    private readonly HashSet<string> _outputs;

    public string ImageInput { get; }
    public long[] ImageShape { get; }
    public string Device { get; }
    /// <summary>The model's contract: rule, stored card, image input, score output.</summary>
    public GradientModelInfo Info { get; }
    /// <summary>The score output is a Softmax's: already probabilities.</summary>
    public bool OutputIsSoftmax => Info.ScoreIsSoftmax;
    /// <summary>[h, w] of the Grad-CAM output (export-grad --cam); null when the model has none.</summary>
    public long[]? CamShape { get; }

    public GradientRunner(byte[] gradientModel, DeviceChoice device, int threads, string modelName = "the model")
    {
        var model = ModelProto.Parser.ParseFrom(gradientModel);
        Info = GradientModelInfo.Read(model, modelName);
        _scoreOutput = Info.ScoreOutput;
        ImageInput = Info.ImageInput;
        try
        {
            _gradient = OrtSessions.Create(gradientModel, device, threads, out var used);
            _forward = OrtSessions.Create(WithScoreTensor(ForwardPart.Of(model), Info).ToByteArray(), device, threads, out _);
            Device = used;
        }
        catch (OnnxRuntimeException e) { throw new InputException($"{modelName}: ONNX Runtime cannot load it ({Messages.FirstLine(e.Message)})"); }
        ImageShape = _gradient.InputMetadata[ImageInput].Dimensions.Select(d => (long)d).ToArray();
        _outputs = _gradient.OutputMetadata.Keys.ToHashSet();
        if (_gradient.OutputMetadata.TryGetValue(GradientModelContract.ClassActivationOutput, out var cam))
            CamShape = cam.Dimensions[2..].Select(d => (long)d).ToArray();
    }

    /// <summary>The score output, [count, scores].</summary>
    public float[] Scores(float[] images, int count)
    {
        using var image = OrtValue.CreateTensorValueFromMemory(images, [count, .. ImageShape[1..]]);
        using var runOptions = new RunOptions();
        using var outputs = _forward.Run(runOptions, new Dictionary<string, OrtValue> { [ImageInput] = image }, [_scoreOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// The differentiated score tensor (the Softmax's input where the score output is a Softmax's), [count, scores]:
    /// the values whose gradients input_grad holds, for checks such as Integrated Gradients' completeness.
    /// </summary>
    public float[] DifferentiatedScores(float[] images, int count)
    {
        using var image = OrtValue.CreateTensorValueFromMemory(images, [count, .. ImageShape[1..]]);
        using var runOptions = new RunOptions();
        using var outputs = _forward.Run(runOptions, new Dictionary<string, OrtValue> { [ImageInput] = image }, [Info.ScoreTensor]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Whether the gradient model has this output (class_activation_plus_plus came after class_activation).</summary>
    public bool HasOutput(string name) => _outputs.Contains(name);

    /// <summary>The forward part with the score tensor as an output too, where it is not one already.</summary>
    private static ModelProto WithScoreTensor(ModelProto forward, GradientModelInfo info)
    {
        if (forward.Graph.Output.Any(o => o.Name == info.ScoreTensor)) return forward;
        forward.Graph.Output.Add(new ValueInfoProto
        {
            Name = info.ScoreTensor,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        return forward;
    }

    /// <summary>How many scores the model gives per image (one forward pass of a blank image).</summary>
    public int ScoreCount() => Scores(new float[ImageShape.Skip(1).Aggregate(1L, (a, b) => a * b)], 1).Length;

    /// <summary>input_grad [count, K, C, H, W] for classIndex [count][K] (score indices), written by the session into the returned array.</summary>
    public float[] Gradients(float[] images, int count, long[][] classIndex) => Run(images, count, classIndex, withCam: false).Gradients;

    /// <summary>
    /// input_grad as <see cref="Gradients"/>, and with <paramref name="withCam"/> the Grad-CAM maps
    /// [count, K, h, w] from the same pass (the model must have them: <see cref="CamShape"/>), or the
    /// maps of another output of that shape (<paramref name="camOutput"/>: Grad-CAM++).
    /// </summary>
    public (float[] Gradients, float[]? Cam) Run(float[] images, int count, long[][] classIndex, bool withCam,
        string camOutput = GradientModelContract.ClassActivationOutput)
    {
        long[] perImage = ImageShape[1..];
        int k = classIndex[0].Length;
        var gradients = new float[count * k * Shapes.Product(perImage)];
        using var image = OrtValue.CreateTensorValueFromMemory(images, [count, .. perImage]);
        using var classes = OrtValue.CreateTensorValueFromMemory(classIndex.SelectMany(r => r).ToArray(), [count, k]);
        using var output = OrtValue.CreateTensorValueFromMemory(gradients, [count, k, .. perImage]);
        var outputs = new Dictionary<string, OrtValue> { [GradientModelContract.InputGradOutput] = output };
        float[]? cam = null;
        OrtValue? camValue = null;
        if (withCam)
        {
            var camShape = CamShape is { } shape && HasOutput(camOutput) ? shape : throw new InvalidOperationException($"the gradient model has no {camOutput} output");
            cam = new float[count * k * Shapes.Product(camShape)];
            outputs[camOutput] = camValue = OrtValue.CreateTensorValueFromMemory(cam, [count, k, .. camShape]);
        }
        using (camValue)
            BoundRun.Run(_gradient, new Dictionary<string, OrtValue> { [ImageInput] = image, [GradientModelContract.ClassIndexInput] = classes }, outputs);
        return (gradients, cam);
    }

    public void Dispose()
    {
        _forward.Dispose();
        _gradient.Dispose();
    }
}
