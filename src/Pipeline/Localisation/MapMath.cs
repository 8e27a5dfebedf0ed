using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>Small operations on saliency maps shared by the localisers.</summary>
public static class MapMath
{
    /// <summary>The q-quantile (0..1) of the values, by the nearest-rank rule.</summary>
    public static float Quantile(float[] values, double q) => Quantiles(values, q)[0];

    /// <summary>Several quantiles of the values from one sort.</summary>
    public static float[] Quantiles(float[] values, params double[] qs)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        return qs.Select(q => sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)]).ToArray();
    }

    /// <summary>Bounding box of the true pixels, or null when there are none.</summary>
    public static Box? BoundingBox(bool[] mask, int width)
    {
        int xMin = int.MaxValue, yMin = int.MaxValue, xMax = -1, yMax = -1;
        for (int i = 0; i < mask.Length; i++)
        {
            if (!mask[i]) continue;
            int x = i % width, y = i / width;
            xMin = Math.Min(xMin, x); xMax = Math.Max(xMax, x);
            yMin = Math.Min(yMin, y); yMax = Math.Max(yMax, y);
        }
        return xMax < 0 ? null : new Box(xMin, yMin, xMax, yMax);
    }

    /// <summary>Bounding box of the largest 8-connected component of the mask, or null when it is empty.</summary>
    public static Box? LargestComponentBox(bool[] mask, int width, int height)
    {
        using var image = new Mat(height, width, MatType.CV_8UC1);
        image.SetArray(mask.Select(m => m ? (byte)255 : (byte)0).ToArray());
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int count = Cv2.ConnectedComponentsWithStats(image, labels, stats, centroids, PixelConnectivity.Connectivity8);
        int best = -1, bestArea = 0;
        for (int label = 1; label < count; label++)
        {
            int area = stats.At<int>(label, (int)ConnectedComponentsTypes.Area);
            if (area > bestArea) { bestArea = area; best = label; }
        }
        if (best < 0) return null;
        int left = stats.At<int>(best, (int)ConnectedComponentsTypes.Left), top = stats.At<int>(best, (int)ConnectedComponentsTypes.Top);
        return new Box(left, top, left + stats.At<int>(best, (int)ConnectedComponentsTypes.Width) - 1, top + stats.At<int>(best, (int)ConnectedComponentsTypes.Height) - 1);
    }

    /// <summary>The map blurred with a Gaussian of sigma = fraction of the shorter side (no blur for 0).</summary>
    public static float[] Smooth(float[] map, int width, int height, double fraction)
    {
        if (fraction <= 0) return map;
        using var raw = new Mat(height, width, MatType.CV_32FC1);
        raw.SetArray(map);
        using var smooth = new Mat();
        Cv2.GaussianBlur(raw, smooth, new Size(0, 0), Math.Max(0.5, fraction * Math.Min(width, height)));
        smooth.GetArray(out float[] result);
        return result;
    }

    /// <summary>The image and its map scaled down so the longer side is at most maxSide.</summary>
    public static (Mat Image, float[] Map, int Width, int Height) Downscale(Mat bgr, float[] map, int maxSide)
    {
        double factor = Math.Min(1.0, (double)maxSide / Math.Max(bgr.Width, bgr.Height));
        if (factor >= 1.0) return (bgr.Clone(), map, bgr.Width, bgr.Height);
        var size = new Size(Math.Max(1, (int)Math.Round(bgr.Width * factor)), Math.Max(1, (int)Math.Round(bgr.Height * factor)));
        var image = bgr.Resize(size, 0, 0, InterpolationFlags.Area);
        using var full = new Mat(bgr.Height, bgr.Width, MatType.CV_32FC1);
        full.SetArray(map);
        using var small = full.Resize(size, 0, 0, InterpolationFlags.Area);
        small.GetArray(out float[] smallMap);
        return (image, smallMap, size.Width, size.Height);
    }
}
