using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// SmoothGrad around any method: the inner method's maps averaged over noisy copies of the crops
/// (<see cref="SmoothGrad"/>). Sums are kept in double, so copies of one value divide back to it exactly.
/// </summary>
public sealed class SmoothGradMethod(MapMethod inner, SmoothGrad smooth) : MapMethod
{
    public MapMethod Inner => inner;
    public override string Name => inner.Name;
    public override bool NeedsCam => inner.NeedsCam;
    public override string KeyPart => $"\n{smooth}" + inner.KeyPart;

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        double[][]? sums = null;
        for (int copy = 0; copy < smooth.Copies; copy++)
        {
            var maps = inner.Maps(runner, batch with { Tensor = smooth.NoisyCopy(batch.Tensor, batch.Side, copy, batch.Pixels) });
            sums ??= maps.Select(m => new double[m.Length]).ToArray();
            for (int i = 0; i < maps.Length; i++)
            for (int p = 0; p < maps[i].Length; p++) sums[i][p] += maps[i][p];
        }
        return sums!.Select(s => s.Select(v => (float)(v / smooth.Copies)).ToArray()).ToArray();
    }
}
