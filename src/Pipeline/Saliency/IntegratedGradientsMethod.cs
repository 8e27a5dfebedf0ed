using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// Integrated Gradients (Sundararajan, Taly &amp; Yan 2017): the attribution (x - b) times the gradient
/// averaged along the straight path from a baseline b (<see cref="IntegratedGradientsBaseline"/>) to the
/// crop x (`Steps` points of a <see cref="PathRule"/>), whose sum over the input approximates score(x) - score(b);
/// the map is its largest magnitude over colour channels, as for the saliency map. The path's points go
/// through the folded backward in batches of at most 60 image-classes, the bound of one `run` pass.
/// Each crop and class's <see cref="Completeness"/> compares the sum with the two scores of the
/// differentiated score tensor, from the forward part.
/// </summary>
public sealed class IntegratedGradientsMethod(int steps = IntegratedGradientsMethod.DefaultSteps,
    IntegratedGradientsBaseline baseline = IntegratedGradientsBaseline.Black, PathRule rule = IntegratedGradientsMethod.DefaultRule) : MapMethod
{
    public const int DefaultSteps = 32, MostSteps = 1024;
    public const PathRule DefaultRule = PathRule.GaussLegendre;
    private const int ImageClassesPerPass = 60;

    public int Steps => steps;
    public IntegratedGradientsBaseline Baseline => baseline;
    public PathRule Rule => rule;
    public override string Name => "integrated-gradients";
    // The black baseline and the midpoint rule add nothing, so caches made before they were options still match.
    public override string KeyPart => $"\nmap {Name} {steps}" + (baseline == IntegratedGradientsBaseline.Black ? "" : $" {baseline.Word()}")
        + (rule == PathRule.Midpoint ? "" : $" {rule.Word()}");
    // None for the first version's settings (black, 32 midpoints), so runs begun with them still resume
    // under --ig-rule midpoint; any other rule is named, so such a run is not continued with other maps.
    public override string? Settings => steps == DefaultSteps && baseline == IntegratedGradientsBaseline.Black && rule == PathRule.Midpoint ? null
        : $"{baseline.Word()} baseline, {steps} step{(steps == 1 ? "" : "s")}" + (rule == PathRule.Midpoint ? "" : $", {rule.Word()} rule");

    // One gradient pass per point on the path; the crop and its baseline scored for the completeness check.
    public override ModelPasses? PassesPerCrop(int side) => new(2, steps);

    public override float[][] Maps(GradientRunner runner, CropBatch batch) => MapsAndCompleteness(runner, batch).Maps;

    public override (float[][] Maps, Completeness[]? Completeness) MapsAndCompleteness(GradientRunner runner, CropBatch batch)
    {
        int size = 3 * batch.Side * batch.Side;
        var maps = new float[batch.Count * batch.Classes][];
        var completeness = new Completeness[maps.Length];
        for (int c = 0; c < batch.Count; c++)
        {
            var crop = batch.Tensor.AsSpan(c * size, size).ToArray();
            var start = baseline.For(crop, batch.Side, batch.Pixels);
            var classes = batch.ClassIndex[c];
            var attributions = Attributions(runner, crop, classes, start);
            var scores = runner.DifferentiatedScores([.. crop, .. start], 2);
            int perImage = scores.Length / 2;
            for (int k = 0; k < batch.Classes; k++)
            {
                maps[c * batch.Classes + k] = SaliencyMaps.FromGradient(attributions[k], 3, batch.Side, batch.Side);
                completeness[c * batch.Classes + k] = Completeness.Of(
                    (double)scores[classes[k]] - scores[perImage + classes[k]], attributions[k].Sum(a => (double)a));
            }
        }
        return (maps, completeness);
    }

    /// <summary>One crop's attributions [3 x side x side] for each of its classes.</summary>
    public float[][] Attributions(GradientRunner runner, float[] crop, long[] classes, float[] start)
    {
        int size = crop.Length, perPass = Math.Max(1, ImageClassesPerPass / classes.Length);
        var path = rule.Points(steps);
        var sum = classes.Select(_ => new double[size]).ToArray();
        for (int first = 0; first < steps; first += perPass)
        {
            int count = Math.Min(perPass, steps - first);
            var points = new float[count * size];
            for (int s = 0; s < count; s++)
            {
                float alpha = (float)path[first + s].Alpha;
                for (int i = 0; i < size; i++) points[s * size + i] = start[i] + alpha * (crop[i] - start[i]);
            }
            var gradients = runner.Gradients(points, count, Enumerable.Repeat(classes, count).ToArray());
            for (int s = 0; s < count; s++)
            {
                double weight = path[first + s].Weight;
                for (int k = 0; k < classes.Length; k++)
                {
                    int offset = (s * classes.Length + k) * size;
                    for (int i = 0; i < size; i++) sum[k][i] += weight * gradients[offset + i];
                }
            }
        }
        return sum.Select(m => m.Select((g, i) => (float)((crop[i] - start[i]) * g)).ToArray()).ToArray();
    }
}
