using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// SmoothGrad around any method: the inner method's maps averaged over noisy copies of the crops
/// (<see cref="SmoothGrad"/>). Sums are kept in double, so copies of one value divide back to it exactly.
/// A completeness check of the inner method is averaged too: the averaged attributions should sum to
/// the averaged score difference (the worst copy's error is kept).
/// </summary>
public sealed class SmoothGradMethod(MapMethod inner, SmoothGrad smooth) : MapMethod
{
    public MapMethod Inner => inner;
    public override string Name => inner.Name;
    public override bool NeedsCam => inner.NeedsCam;
    public override string CamOutput => inner.CamOutput;
    public override string? Settings => inner.Settings;
    public override string? Refusal(int side) => inner.Refusal(side);
    public override ModelPasses? PassesPerCrop(int side) => inner.PassesPerCrop(side)?.Times(smooth.Copies);
    public override string KeyPart => $"\n{smooth}" + inner.KeyPart;

    public override float[][] Maps(GradientRunner runner, CropBatch batch) => MapsAndCompleteness(runner, batch).Maps;

    public override (float[][] Maps, Completeness[]? Completeness) MapsAndCompleteness(GradientRunner runner, CropBatch batch)
    {
        double[][]? sums = null;
        List<Completeness[]> checks = [];
        for (int copy = 0; copy < smooth.Copies; copy++)
        {
            var (maps, completeness) = inner.MapsAndCompleteness(runner, batch with { Tensor = smooth.NoisyCopy(batch.Tensor, batch.Side, copy, batch.Pixels) });
            sums ??= maps.Select(m => new double[m.Length]).ToArray();
            for (int i = 0; i < maps.Length; i++)
            for (int p = 0; p < maps[i].Length; p++) sums[i][p] += maps[i][p];
            if (completeness != null) checks.Add(completeness);
        }
        var averaged = sums!.Select(s => s.Select(v => (float)(v / smooth.Copies)).ToArray()).ToArray();
        return (averaged, checks.Count == 0 ? null
            : Enumerable.Range(0, averaged.Length).Select(i => Completeness.Combine(checks.Select(c => c[i]).ToList())).ToArray());
    }
}
