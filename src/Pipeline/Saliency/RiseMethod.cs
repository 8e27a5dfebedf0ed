using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// RISE (Petsiuk, Das &amp; Saenko 2018), forward passes only: the crop is multiplied by N random
/// smooth masks (<see cref="RiseMasks"/>), which fades it towards the model's zero (0 in its input
/// units, as the paper's code masks the normalised tensor); the map is the score-weighted mean of the
/// masks, sum over i of p(masked crop i) x mask i, divided by N x Keep (the expected mask value).
/// The weight is the class probability. Cost: N forward passes per crop, all classes at once.
/// </summary>
public sealed class RiseMethod(int masks = RiseMethod.DefaultMasks, int cell = RiseMethod.DefaultCell, double keep = RiseMethod.DefaultKeep, int seed = 0) : MapMethod
{
    public const int DefaultMasks = 1000, MostMasks = 100_000, DefaultCell = 32;
    public const double DefaultKeep = 0.5;

    /// <summary>Masks made and applied at once: a forward batch.</summary>
    private const int MasksAtOnce = ClassProbabilities.Batch;

    public override string Name => "rise";
    public override string? Settings => FormattableString.Invariant($"masks {masks} cell {cell} keep {keep:R} seed {seed}");
    public override string KeyPart => $"\nmap {Name} {Settings}";

    public override string? Refusal(int side) =>
        cell > side ? $"--rise-cell {cell}: at most the model's input side, {side}" : null;

    public override ModelPasses? PassesPerCrop(int side) => new(masks, 0);

    public RiseMasks MasksFor(int side) => new(masks, side, cell, keep, seed);

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        int side = batch.Side, plane = side * side, size = 3 * plane;
        var generator = MasksFor(side);
        var sums = Enumerable.Range(0, batch.Count * batch.Classes).Select(_ => new double[plane]).ToArray();
        for (int first = 0; first < masks; first += MasksAtOnce)
        {
            var some = Enumerable.Range(first, Math.Min(MasksAtOnce, masks - first)).Select(generator.Mask).ToArray();
            for (int crop = 0; crop < batch.Count; crop++)
            {
                var image = batch.Tensor.AsMemory(crop * size, size);
                var probabilities = ClassProbabilities.Of(runner, some.Length, (m, span) =>
                {
                    var source = image.Span;
                    for (int ch = 0; ch < 3; ch++)
                    for (int i = 0; i < plane; i++) span[ch * plane + i] = source[ch * plane + i] * some[m][i];
                });
                var classes = batch.ClassIndex[crop];
                for (int k = 0; k < classes.Length; k++)
                {
                    var sum = sums[crop * batch.Classes + k];
                    for (int m = 0; m < some.Length; m++)
                    {
                        double weight = probabilities[m][classes[k]];
                        var mask = some[m];
                        for (int i = 0; i < plane; i++) sum[i] += weight * mask[i];
                    }
                }
            }
        }
        double norm = masks * keep;
        return sums.Select(s => s.Select(v => (float)(v / norm)).ToArray()).ToArray();
    }
}
