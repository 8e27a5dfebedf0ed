using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// Input x Gradient (Shrikumar et al. 2016): the attribution x times d score / d x for each input value
/// (the model's rule's backward), the map its largest magnitude over colour channels, as for the
/// saliency map. One backward pass, as for the saliency map.
/// </summary>
public sealed class InputTimesGradientMethod : MapMethod
{
    public override string Name => "input-x-gradient";
    public override ModelPasses? PassesPerCrop(int side) => new(0, 1);

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        var gradients = runner.Gradients(batch.Tensor, batch.Count, batch.ClassIndex);
        int size = 3 * batch.Side * batch.Side;
        var maps = new float[batch.Count * batch.Classes][];
        for (int c = 0; c < batch.Count; c++)
        for (int k = 0; k < batch.Classes; k++)
            maps[c * batch.Classes + k] = SaliencyMaps.FromGradient(Attributions(batch.Tensor.AsSpan(c * size, size),
                gradients.AsSpan((c * batch.Classes + k) * size, size)), 3, batch.Side, batch.Side);
        return maps;
    }

    /// <summary>x times its gradient, element by element.</summary>
    public static float[] Attributions(ReadOnlySpan<float> input, ReadOnlySpan<float> gradient)
    {
        var product = new float[input.Length];
        for (int i = 0; i < product.Length; i++) product[i] = input[i] * gradient[i];
        return product;
    }
}
