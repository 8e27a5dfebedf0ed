using System.Text.Json.Serialization;
using GradientGraphs.Building;
using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>The threshold-box localiser's settings; a sigma left open takes the model's rule's default (<see cref="RuleDefaults"/>).</summary>
public sealed record ThresholdBoxOptions
{
    /// <summary>Gaussian smoothing of the map, sigma as a fraction of the image's shorter side.</summary>
    public double? BoxSigma { get; init; }
    /// <summary>The threshold, as a fraction of the smoothed map's range above its minimum.</summary>
    public double Threshold { get; init; } = 0.2;
    /// <summary>The box of every region above the threshold, not only of the largest.</summary>
    public bool AllRegions { get; init; }

    /// <summary>The sigma in use: as set, or the gradient rule's default where no rule filled it in.</summary>
    [JsonIgnore] public double BoxSigmaValue => BoxSigma ?? RuleDefaults.BoxSigma(AttributionMethod.Gradient);

    public ThresholdBoxOptions ForRule(AttributionMethod rule) => this with { BoxSigma = BoxSigma ?? RuleDefaults.BoxSigma(rule) };
}

/// <summary>
/// The box the class activation mapping literature uses (Zhou et al. 2016, "Learning Deep Features
/// for Discriminative Localization"), on the smoothed saliency map: the map is smoothed
/// (BoxSigma), scaled to [0, 1] between its minimum and maximum, thresholded at
/// Threshold, and the box is that of the largest 8-connected region above it (or of all
/// regions, AllRegions). Smoothing first joins the gradient's speckle into regions.
/// Flat map: whole image.
/// </summary>
public sealed class ThresholdBoxLocaliser(ThresholdBoxOptions options) : Localiser
{
    public override string Name => "threshold-box";
    public ThresholdBoxOptions Options => options;
    public override object Settings => options;
    public override Localiser ForRule(AttributionMethod rule) => new ThresholdBoxLocaliser(options.ForRule(rule));

    public override Located Locate(Mat bgr, float[] map)
    {
        int w = bgr.Width, h = bgr.Height;
        var smoothed = MapMath.Smooth(map, w, h, options.BoxSigmaValue);
        float min = smoothed.Min(), max = smoothed.Max();
        if (max <= min) return new(Box.Whole(w, h), "flat map: whole image");
        float cut = min + (float)options.Threshold * (max - min);
        var mask = smoothed.Select(v => v >= cut).ToArray();
        // The maximum is at or above any cut with a threshold in [0, 1], so the mask is never empty.
        var box = options.AllRegions ? MapMath.BoundingBox(mask, w) : MapMath.LargestComponentBox(mask, w, h);
        return new(box!.Value, options.AllRegions ? "threshold box" : "largest region above threshold");
    }
}
