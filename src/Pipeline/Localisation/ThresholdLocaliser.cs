using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>
/// The default: smooth the map with a Gaussian (options.Smoothing of the shorter side), keep the
/// pixels above options.MaxFraction of its maximum, and take the bounding box of the largest
/// connected component. Chosen on the dev set (README, "Localisation"): on gradient maps, whose
/// evidence is scattered speckle over the object, smoothing joins the speckle into a region that a
/// colour segmentation would otherwise cut apart. Fallback: a flat map gives the whole image.
/// </summary>
public sealed class ThresholdLocaliser : Localiser
{
    public override string Name => "threshold";

    public override Located Locate(Mat bgr, float[] map, LocalisationOptions options)
    {
        int w = bgr.Width, h = bgr.Height;
        using var raw = new Mat(h, w, MatType.CV_32FC1);
        raw.SetArray(map);
        using var smooth = new Mat();
        double sigma = Math.Max(0.5, options.Smoothing * Math.Min(w, h));
        Cv2.GaussianBlur(raw, smooth, new Size(0, 0), sigma);
        smooth.GetArray(out float[] smoothed);
        float max = smoothed.Max(), min = smoothed.Min();
        if (max <= min) return new(Box.Whole(w, h), "flat map: whole image");
        float threshold = (float)(min + options.MaxFraction * (max - min));
        var box = MapMath.LargestComponentBox(smoothed.Select(v => v >= threshold).ToArray(), w, h);
        return new(box!.Value, "smoothed threshold");
    }
}
