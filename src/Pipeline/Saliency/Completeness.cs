namespace Pipeline.Saliency;

/// <summary>
/// Integrated Gradients' completeness check (Sundararajan, Taly &amp; Yan 2017, Prop. 1): the
/// attributions of one crop and class should sum to score(x) - score(baseline). Error is
/// |sum - difference| / |difference|; under <see cref="Sound"/> the path integral is soundly approximated.
/// </summary>
public sealed record Completeness(double ScoreDifference, double AttributionSum, double Error)
{
    /// <summary>The bound the paper gives for a sound approximation (5%).</summary>
    public const double Sound = 0.05;

    /// <summary>A baseline scored like the crop leaves nothing to attribute: any sum but zero is then infinitely wrong.</summary>
    public static Completeness Of(double scoreDifference, double attributionSum) =>
        new(scoreDifference, attributionSum, scoreDifference != 0 ? Math.Abs(attributionSum - scoreDifference) / Math.Abs(scoreDifference)
            : attributionSum == 0 ? 0 : double.PositiveInfinity);

    /// <summary>
    /// One image's class over its crops (or SmoothGrad's copies): the mean difference and sum (the maps
    /// are averaged too), and the largest error, so that no crop's poor approximation is averaged away.
    /// </summary>
    public static Completeness Combine(IReadOnlyList<Completeness> crops) =>
        new(crops.Average(c => c.ScoreDifference), crops.Average(c => c.AttributionSum), crops.Max(c => c.Error));
}
