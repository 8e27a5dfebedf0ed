using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// Integrated Gradients (Sundararajan, Taly & Yan 2017): the attribution (x - b) times the gradient
/// averaged along the straight path from a black baseline b to the crop x (midpoint rule, `Steps`
/// points), whose sum over the input approximates score(x) - score(b); the map is its largest
/// magnitude over colour channels, as for the saliency map. The path's points go through the
/// folded backward in batches of at most 60 image-classes, the bound of one `run` pass.
/// </summary>
public sealed class IntegratedGradientsMethod(int steps = 32) : MapMethod
{
    private const int ImageClassesPerPass = 60;

    public int Steps => steps;
    public override string Name => "integrated-gradients";
    public override string KeyPart => $"\nmap {Name} {steps}";

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        int plane = batch.Side * batch.Side, size = 3 * plane;
        var maps = new float[batch.Count * batch.Classes][];
        for (int c = 0; c < batch.Count; c++)
        {
            var crop = batch.Tensor.AsSpan(c * size, size).ToArray();
            var attributions = Attributions(runner, crop, batch.ClassIndex[c], Baseline(batch.Pixels, plane));
            for (int k = 0; k < batch.Classes; k++)
                maps[c * batch.Classes + k] = SaliencyMaps.FromGradient(attributions[k], 3, batch.Side, batch.Side);
        }
        return maps;
    }

    /// <summary>Black in the model's input units, [3, plane].</summary>
    public static float[] Baseline(PixelTransform pixels, int plane)
    {
        var baseline = new float[3 * plane];
        for (int ch = 0; ch < 3; ch++) Array.Fill(baseline, pixels.Apply(0, ch), ch * plane, plane);
        return baseline;
    }

    /// <summary>One crop's attributions [3 x side x side] for each of its classes.</summary>
    public float[][] Attributions(GradientRunner runner, float[] crop, long[] classes, float[] baseline)
    {
        int size = crop.Length, perPass = Math.Max(1, ImageClassesPerPass / classes.Length);
        var mean = classes.Select(_ => new double[size]).ToArray();
        for (int first = 0; first < steps; first += perPass)
        {
            int count = Math.Min(perPass, steps - first);
            var points = new float[count * size];
            for (int s = 0; s < count; s++)
            {
                float alpha = (first + s + 0.5f) / steps;
                for (int i = 0; i < size; i++) points[s * size + i] = baseline[i] + alpha * (crop[i] - baseline[i]);
            }
            var gradients = runner.Gradients(points, count, Enumerable.Repeat(classes, count).ToArray());
            for (int s = 0; s < count; s++)
            for (int k = 0; k < classes.Length; k++)
            {
                int offset = (s * classes.Length + k) * size;
                for (int i = 0; i < size; i++) mean[k][i] += gradients[offset + i];
            }
        }
        return mean.Select(m => m.Select((g, i) => (float)((crop[i] - baseline[i]) * g / steps)).ToArray()).ToArray();
    }
}
