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
            _forward = OrtSessions.Create(ForwardPart.Of(model).ToByteArray(), device, threads, out _);
            Device = used;
        }
        catch (OnnxRuntimeException e) { throw new InputException($"{modelName}: ONNX Runtime cannot load it ({Messages.FirstLine(e.Message)})"); }
        ImageShape = _gradient.InputMetadata[ImageInput].Dimensions.Select(d => (long)d).ToArray();
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

    /// <summary>How many scores the model gives per image (one forward pass of a blank image).</summary>
    public int ScoreCount() => Scores(new float[ImageShape.Skip(1).Aggregate(1L, (a, b) => a * b)], 1).Length;

    /// <summary>input_grad [count, K, C, H, W] for classIndex [count][K] (score indices), written by the session into the returned array.</summary>
    public float[] Gradients(float[] images, int count, long[][] classIndex) => Run(images, count, classIndex, withCam: false).Gradients;

    /// <summary>
    /// input_grad as <see cref="Gradients"/>, and with <paramref name="withCam"/> the Grad-CAM maps
    /// [count, K, h, w] from the same pass (the model must have them: <see cref="CamShape"/>).
    /// </summary>
    public (float[] Gradients, float[]? Cam) Run(float[] images, int count, long[][] classIndex, bool withCam)
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
            var camShape = CamShape ?? throw new InvalidOperationException("the gradient model has no class_activation output");
            cam = new float[count * k * Shapes.Product(camShape)];
            outputs[GradientModelContract.ClassActivationOutput] = camValue = OrtValue.CreateTensorValueFromMemory(cam, [count, k, .. camShape]);
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
