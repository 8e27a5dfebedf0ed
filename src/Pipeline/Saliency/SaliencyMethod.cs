
namespace Pipeline.Saliency;

/// <summary>The paper's class saliency map: max over colour channels of |d score / d image| (the model's rule: gradient, deconvnet or guided).</summary>
public sealed class SaliencyMethod : BackwardMapMethod
{
    public override string Name => "saliency";
    public override string KeyPart => "";

    public override float[] CropMap(ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side) =>
        SaliencyMaps.FromGradient(gradient, 3, side, side);
}
