using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline bench --methods`: each map method's saliency stage on the crops of bench's saliency-stage
/// figure, as run computes it for one image (the forward pass that ranks the classes, then the method's
/// maps and its completeness check where it has one), at the method's default settings. The time is
/// also given in forward passes of the crops, the unit the saliency-stage figure uses, and beside it
/// what the method runs through the model per crop where that is known.
/// </summary>
public static class MethodTimings
{
    /// <summary>
    /// Bench has no model card: the pixel transform only sets the values of a baseline (Integrated
    /// Gradients' black image), not the work done, so the identity on [0, 1] stands in for the card's.
    /// </summary>
    private static readonly PixelTransform AnyPixels = new(true, 1f / 255, [0, 0, 0], [1, 1, 1]);

    /// <summary>
    /// Whether a method runs many passes per crop (or an unknown number). Those warm up on one crop:
    /// they run the model crop by crop, so one crop takes the batch shapes of the timed stage at a
    /// fraction of its cost. The others warm up on all the crops, in one pass as the timed stage makes
    /// it: a session's first run at a batch shape (a fresh Grad-CAM model's) costs more than the next.
    /// </summary>
    private static bool SlowPerCrop(MapMethod method, int side) =>
        method.PassesPerCrop(side) is not { } passes || passes.Forward + passes.Gradient > 2;

    /// <param name="runner">the gradient model without Grad-CAM outputs, which ranks the classes and serves the other methods</param>
    /// <param name="camRunner">the gradient model with them, for the methods that need them (null when none is asked)</param>
    /// <param name="forwardSeconds">one forward pass of the crops, measured by bench in this run</param>
    public static void Print(GradientRunner runner, GradientRunner? camRunner, IReadOnlyList<MapMethod> methods, float[] crops, int count,
        long[][] classIndex, double forwardSeconds, int threads, int runs, BenchClock timer)
    {
        int side = (int)runner.ImageShape[^1];
        int perCrop = crops.Length / count;
        var all = new CropBatch(crops, count, classIndex, side, AnyPixels);
        var one = new CropBatch(crops[..perCrop], 1, classIndex[..1], side, AnyPixels);
        Console.WriteLine($"map methods per image ({count} crops, K={classIndex[0].Length}, {runner.Device}, {threads} threads, 1 image at once, " +
            $"default settings, median of {runs} run{(runs == 1 ? "" : "s")} after a warm-up, {timer.Unit}; " +
            $"unit: one forward pass of the {count} crops, {forwardSeconds:G4}):");
        int width = Math.Max(6, methods.Max(m => m.Name.Length));
        Console.WriteLine($"{"method".PadRight(width)} {"per image",10} {"forward passes",14}  model passes per crop (beyond ranking)");
        foreach (var method in methods)
        {
            if (method.Refusal(side) is { } refusal)
            {
                Console.WriteLine($"{method.Name.PadRight(width)} not timed: {refusal}");
                continue;
            }
            var methodRunner = method.NeedsCam ? camRunner! : runner;
            void Stage(CropBatch batch)
            {
                runner.Scores(batch.Tensor, batch.Count);
                method.MapsAndCompleteness(methodRunner, batch);
            }
            double seconds = timer.Median(runs, () => Stage(all), warmUp: () => Stage(SlowPerCrop(method, side) ? one : all));
            var passes = method.PassesPerCrop(side)?.ToString() ?? "-";
            // Four significant figures, not four decimals: a small model's stage takes well under a millisecond.
            Console.WriteLine($"{method.Name.PadRight(width)} {seconds,10:G4} {seconds / forwardSeconds,14:F1}  {passes}");
        }
    }
}
