using OpenCvSharp;
using Pipeline.Cards;

namespace Pipeline.Images;

/// <summary>Stage 2 (with <see cref="CropLayout"/>): one crop as a slice of the model's input tensor.</summary>
public static class Preprocessing
{
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
