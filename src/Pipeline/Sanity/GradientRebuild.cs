using Google.Protobuf;
using GradientGraphs.Building;
using Onnx;
using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.Sanity;

/// <summary>
/// A gradient model with some layers randomised. Randomising a weight in the gradient model itself is
/// not enough: its backward holds constants computed from the weights when it was built (a stride-1
/// Conv's flipped kernel, a batch norm's scale over its deviation), which would keep the trained
/// values. So the forward part is taken out, its weights randomised, and the gradient model built
/// again by the builder with the user's rule, score output and Grad-CAM layer, the card carried over.
/// </summary>
public sealed class GradientRebuild
{
    private readonly ModelProto _forward;
    private readonly BuildOptions _options;
    private readonly string? _card;

    public IReadOnlyList<WeightedLayer> Layers { get; }

    public GradientRebuild(ModelProto gradientModel, GradientModelInfo info, bool withNorms)
    {
        _forward = ForwardPart.Of(gradientModel);
        // The Grad-CAM layer by name: the model may have been exported with --cam-layer.
        _options = new BuildOptions { Method = info.Rule, ScoreOutput = info.ScoreOutput, ClassActivation = info.CamTensor != null, ClassActivationLayer = info.CamTensor };
        _card = gradientModel.MetadataProps.FirstOrDefault(p => p.Key == ModelCard.MetadataKey)?.Value;
        Layers = WeightedLayer.Find(_forward.Graph, withNorms);
    }

    /// <summary>The gradient model with the given layers (numbers in <see cref="Layers"/>) randomised; none: the trained model rebuilt.</summary>
    public byte[] With(IEnumerable<int> randomised, int seed)
    {
        var forward = _forward.Clone();
        foreach (int number in randomised) WeightRandomiser.Randomise(forward.Graph, Layers[number], number, seed);
        var model = GradientGraphBuilder.Build(forward.ToByteArray(), _options);
        if (_card != null && model.MetadataProps.All(p => p.Key != ModelCard.MetadataKey))
            model.MetadataProps.Add(new StringStringEntryProto { Key = ModelCard.MetadataKey, Value = _card });
        return model.ToByteArray();
    }
}
