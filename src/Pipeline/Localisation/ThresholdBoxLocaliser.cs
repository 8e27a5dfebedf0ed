using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>
/// The box the class activation mapping literature uses (Zhou et al. 2016, "Learning Deep Features
/// for Discriminative Localization"), on the smoothed saliency map: the map is smoothed
/// (options.Smoothing), scaled to [0, 1] between its minimum and maximum, thresholded at
/// options.Threshold, and the box is that of the largest 8-connected region above it (or of all
/// regions, options.AllRegions). Smoothing first joins the gradient's speckle into regions.
/// Flat map: whole image.
/// </summary>
public sealed class ThresholdBoxLocaliser : Localiser
{
    public override string Name => "threshold-box";

    public override Located Locate(Mat bgr, float[] map, LocalisationOptions options)
    {
        int w = bgr.Width, h = bgr.Height;
        var smoothed = MapMath.Smooth(map, w, h, options.SmoothingValue);
        float min = smoothed.Min(), max = smoothed.Max();
        if (max <= min) return new(Box.Whole(w, h), "flat map: whole image");
        float cut = min + (float)options.Threshold * (max - min);
        var mask = smoothed.Select(v => v >= cut).ToArray();
        // The maximum is at or above any cut with a threshold in [0, 1], so the mask is never empty.
        var box = options.AllRegions ? MapMath.BoundingBox(mask, w) : MapMath.LargestComponentBox(mask, w, h);
        return new(box!.Value, options.AllRegions ? "threshold box" : "largest region above threshold");
    }
}
