using OpenCvSharp;

namespace Pipeline.Images;

/// <summary>
/// Maps, localisation and overlays run on the image scaled so its longer side is at most
/// `--working-side` pixels (never enlarged), and boxes are mapped back to original pixels: their
/// cost per image is bounded whatever the photo's size. ILSVRC images (at most 500 pixels) run at
/// their own size.
/// </summary>
public static class WorkingResolution
{
    public static Size For(ImageHeader original, int workingSide)
    {
        double factor = Math.Min(1.0, (double)workingSide / Math.Max(original.Width, original.Height));
        return factor >= 1.0 ? new Size(original.Width, original.Height)
            : new Size(Math.Max(1, (int)Math.Round(original.Width * factor)), Math.Max(1, (int)Math.Round(original.Height * factor)));
    }
}
