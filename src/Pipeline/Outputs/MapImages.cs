using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Localisation;
using Pipeline.Saliency;

namespace Pipeline.Outputs;

/// <summary>Output: saliency maps as PNGs a person can open: the map itself, and a heat overlay on the image (with its box).</summary>
public static class MapImages
{
    /// <summary>
    /// The map scaled so its 99th percentile is white: gradient maps are peaky, and scaling by the
    /// maximum alone would leave all but a few pixels black.
    /// </summary>
    public static Mat Grey(float[] map, int height, int width)
    {
        float white = MapMath.Quantile(map, 0.99);
        if (white <= 0) white = map.Max();
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

    /// <summary>ID_RANK_WNID_map.png and _overlay.png for each of an image's top classes, at the working resolution, under `folder`.</summary>
    public static IEnumerable<SideFile> Files(string folder, string imageId, ImageResult result, ModelCard card)
    {
        foreach (var (r, rank) in result.Top.Select((r, i) => (r, i + 1)))
        {
            var name = $"{imageId}_{rank}_{card.Classes[r.ClassIndex].Wnid}";
            using var grey = Grey(r.Map, result.Image.Height, result.Image.Width);
            using var overlay = Overlay(result.Image, grey, r.Located.Box);
            yield return new SideFile(Path.Combine(folder, name + "_map.png"), grey.ImEncode(".png"));
            yield return new SideFile(Path.Combine(folder, name + "_overlay.png"), overlay.ImEncode(".png"));
        }
    }

    /// <summary>
    /// Writes an image file of a run (its format from the path's extension), encoded in memory and
    /// written by .NET: OpenCV's ImWrite answers a failed write (a full disk) with false and no reason.
    /// </summary>
    public static void Write(string path, Mat image, params ImageEncodingParam[] parameters)
    {
        Cv2.ImEncode(Path.GetExtension(path), image, out var bytes, parameters);
        File.WriteAllBytes(path, bytes);
    }
}
