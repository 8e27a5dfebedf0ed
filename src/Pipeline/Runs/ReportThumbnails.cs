using OpenCvSharp;
using Pipeline.Localisation;
using Pipeline.Outputs;
using Pipeline.Saliency;
using Pipeline.Scoring;

namespace Pipeline.Runs;

/// <summary>
/// One small picture per scored image for report.html (`report/ID.jpg`, longer side 320): the top-1
/// class's saliency overlay, its box in white, the other guesses' boxes thin and grey, and the
/// ground-truth boxes in green where they are known.
/// </summary>
public static class ReportThumbnails
{
    public const string Folder = "report";
    private const int Side = 320;

    public static SideFile File(string imageId, ImageResult result, IReadOnlyList<LabelledBox>? truthBoxes)
    {
        var top = result.Top[0];
        using var grey = MapImages.Grey(top.Map, result.Image.Height, result.Image.Width);
        using var overlay = MapImages.Overlay(result.Image, grey);
        double f = Math.Min(1.0, (double)Side / Math.Max(overlay.Width, overlay.Height));
        using var small = overlay.Resize(new Size(Math.Max(1, (int)Math.Round(overlay.Width * f)), Math.Max(1, (int)Math.Round(overlay.Height * f))), 0, 0, InterpolationFlags.Area);
        void Draw(Box box, Scalar colour, int thickness)
        {
            var b = box.Rescale(result.Original.Width, result.Original.Height, small.Width, small.Height);
            Cv2.Rectangle(small, new Point(b.XMin, b.YMin), new Point(b.XMax, b.YMax), colour, thickness);
        }
        foreach (var other in result.Top.Skip(1)) Draw(other.OriginalBox, new Scalar(160, 160, 160), 1);
        foreach (var t in truthBoxes ?? []) Draw(t.Box, new Scalar(0, 220, 0), 2);
        Draw(top.OriginalBox, Scalar.White, 2);
        return new SideFile(Path.Combine(Folder, imageId + ".jpg"), small.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 85)));
    }
}
