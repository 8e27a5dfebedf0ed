using OpenCvSharp;
using Pipeline.Localisation;

namespace Pipeline.Stages;

/// <summary>Output: saliency maps as PNGs a person can open: the map itself, and a heat overlay on the image (with its box).</summary>
public static class MapImages
{
    /// <summary>
    /// The map scaled so its 99th percentile is white: gradient maps are peaky, and scaling by the
    /// maximum alone would leave all but a few pixels black.
    /// </summary>
    public static Mat Grey(float[] map, int height, int width)
    {
        var sorted = (float[])map.Clone();
        Array.Sort(sorted);
        float white = sorted[(int)(0.99 * (sorted.Length - 1))];
        if (white <= 0) white = sorted[^1];
        var pixels = map.Select(v => (byte)(white > 0 ? Math.Min(255, Math.Round(255 * v / white)) : 0)).ToArray();
        var grey = new Mat(height, width, MatType.CV_8UC1);
        grey.SetArray(pixels);
        return grey;
    }

    public static Mat Overlay(Mat bgr, Mat grey, Box? box = null)
    {
        using var heat = new Mat();
        Cv2.ApplyColorMap(grey, heat, ColormapTypes.Jet);
        var blended = new Mat();
        Cv2.AddWeighted(bgr, 0.5, heat, 0.5, 0, blended);
        if (box is { } b)
            Cv2.Rectangle(blended, new Point(b.XMin, b.YMin), new Point(b.XMax, b.YMax), Scalar.White, Math.Max(2, Math.Min(bgr.Width, bgr.Height) / 150));
        return blended;
    }

    /// <summary>Writes NAME_map.png and NAME_overlay.png into the folder.</summary>
    public static void Save(string folder, string name, Mat bgr, float[] map, Box? box)
    {
        using var grey = Grey(map, bgr.Height, bgr.Width);
        using var overlay = Overlay(bgr, grey, box);
        Cv2.ImWrite(Path.Combine(folder, name + "_map.png"), grey);
        Cv2.ImWrite(Path.Combine(folder, name + "_overlay.png"), overlay);
    }
}
