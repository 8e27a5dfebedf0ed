using OpenCvSharp;

namespace Pipeline.Stages;

/// <summary>How a model wants its pixels: x = (pixel * Scale - Mean[c]) / Std[c], channels RGB or BGR, NCHW.</summary>
public sealed record PixelTransform(bool Rgb, float Scale, float[] Mean, float[] Std)
{
    public PixelTransform(bool rgb, float scale, float offset) : this(rgb, scale, [-offset, -offset, -offset], [1f, 1f, 1f]) { }

    /// <summary>MobileNetV2 of the shared models: x = pixel / 127.5 - 1.</summary>
    public static readonly PixelTransform MinusOneToOne = new(true, 1f / 127.5f, -1f);

    public float Apply(byte pixel, int channel) => (pixel * Scale - Mean[channel]) / Std[channel];
}

/// <summary>Stage 2: crops of the rescaled image, as the model's input tensor.</summary>
public static class Preprocessing
{
    /// <summary>The centre crop of the image rescaled so its shorter side is <paramref name="shorterSide"/>.</summary>
    public static Mat CentreCrop(Mat bgr, int shorterSide, int size)
    {
        double factor = (double)shorterSide / Math.Min(bgr.Width, bgr.Height);
        using var resized = bgr.Resize(new Size(Math.Max(size, (int)Math.Round(bgr.Width * factor)), Math.Max(size, (int)Math.Round(bgr.Height * factor))), 0, 0, InterpolationFlags.Area);
        var roi = new Rect((resized.Width - size) / 2, (resized.Height - size) / 2, size, size);
        return new Mat(resized, roi).Clone();
    }

    /// <summary>Writes one image into a [C, H, W] slice of a batch tensor.</summary>
    public static void ToTensor(Mat bgr, PixelTransform transform, Span<float> destination)
    {
        int plane = bgr.Height * bgr.Width;
        bgr.GetArray(out Vec3b[] pixels);
        for (int i = 0; i < plane; i++)
        {
            var p = pixels[i];
            byte c0 = transform.Rgb ? p.Item2 : p.Item0, c2 = transform.Rgb ? p.Item0 : p.Item2;
            destination[i] = transform.Apply(c0, 0);
            destination[plane + i] = transform.Apply(p.Item1, 1);
            destination[2 * plane + i] = transform.Apply(c2, 2);
        }
    }
}
