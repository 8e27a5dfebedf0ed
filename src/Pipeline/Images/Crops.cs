using OpenCvSharp;
using Pipeline.Cards;

namespace Pipeline.Images;

/// <summary>One sub-image: its top-left corner in the rescaled image, and whether it is mirrored.</summary>
public readonly record struct Crop(int X, int Y, bool Mirrored);

/// <summary>
/// Stage 2: the sub-images the model sees. The image is rescaled (shorter side to S, or squashed to
/// S x S); 10 crops are its 4 corners and centre, each also mirrored; 1 crop is the centre (or, for
/// squash, the whole image at the model's size). Where a side is longer than 2 crop sides the
/// corners leave a band along it that the centre covers only in the middle, so the midpoints of
/// those long edges are added (with mirrors): every pixel is then in some crop, and images the 10
/// crops already cover keep exactly them. An image more elongated than <see cref="ModelCard.MaxCropSpan"/>
/// crop sides is squashed along its long side to that (aspect 2.625 at 256/224), so a 2x4000 strip
/// costs no more than a photo.
/// </summary>
public sealed class CropLayout
{
    public required Size Rescaled { get; init; }
    public required int Side { get; init; }
    public required IReadOnlyList<Crop> Crops { get; init; }


    public static CropLayout For(Size original, ModelCard card, int crops)
    {
        int side = card.InputSize;
        Size rescaled;
        if (card.Resize == "squash")
            rescaled = crops == 1 ? new Size(side, side) : new Size(card.ShorterSide, card.ShorterSide);
        else
        {
            double factor = (double)card.ShorterSide / Math.Min(original.Width, original.Height);
            int longest = Math.Max(card.ShorterSide, ModelCard.MaxCropSpan * side);
            rescaled = new Size(Math.Clamp((int)Math.Round(original.Width * factor), side, longest), Math.Clamp((int)Math.Round(original.Height * factor), side, longest));
        }
        int right = rescaled.Width - side, bottom = rescaled.Height - side;
        var centre = new Crop(right / 2, bottom / 2, false);
        if (crops == 1) return new CropLayout { Rescaled = rescaled, Side = side, Crops = [centre] };
        var places = new List<Crop> { new(0, 0, false), new(right, 0, false), new(0, bottom, false), new(right, bottom, false), centre };
        foreach (var edge in EdgeMidpoints(right, bottom, side))
            if (!places.Contains(edge)) places.Add(edge);
        return new CropLayout { Rescaled = rescaled, Side = side, Crops = places.SelectMany(c => new[] { c, c with { Mirrored = true } }).ToList() };
    }

    /// <summary>The most crops <see cref="For"/> gives for a --crops value: 10 grows to the 3 x 3 grid of places and mirrors.</summary>
    public static int MostCrops(int crops) => crops == 1 ? 1 : 18;

    /// <summary>
    /// Midpoints of the edges along a side longer than 2 crop sides (right or bottom above a side),
    /// needed when the other side is longer than a crop: between the corners only the centre reaches
    /// that band, and it misses the band's ends. The rescaled sides are at most 3 crop sides, so
    /// corners, centre and these cover everything.
    /// </summary>
    public static IEnumerable<Crop> EdgeMidpoints(int right, int bottom, int side)
    {
        if (right > side && bottom > 0)
        {
            yield return new Crop(right / 2, 0, false);
            yield return new Crop(right / 2, bottom, false);
        }
        if (bottom > side && right > 0)
        {
            yield return new Crop(0, bottom / 2, false);
            yield return new Crop(right, bottom / 2, false);
        }
    }

    /// <summary>The crops as a batch tensor [crops, 3, side, side].</summary>
    public float[] ToTensor(Mat bgr, PixelTransform pixels)
    {
        var interpolation = Rescaled.Width < bgr.Width ? InterpolationFlags.Area : InterpolationFlags.Linear;
        using var rescaled = bgr.Resize(Rescaled, 0, 0, interpolation);
        int perCrop = 3 * Side * Side;
        var tensor = new float[Crops.Count * perCrop];
        for (int i = 0; i < Crops.Count; i++)
        {
            var c = Crops[i];
            using var view = new Mat(rescaled, new Rect(c.X, c.Y, Side, Side));
            using var crop = new Mat();
            if (c.Mirrored) Cv2.Flip(view, crop, FlipMode.Y); else view.CopyTo(crop);
            Preprocessing.ToTensor(crop, pixels, tensor.AsSpan(i * perCrop, perCrop));
        }
        return tensor;
    }

    /// <summary>
    /// Per-crop maps [side * side] placed back at their crops' positions (mirrored ones flipped back),
    /// averaged over the crops that cover each pixel, and resized to the given (working) size.
    /// </summary>
    public float[] Average(IReadOnlyList<float[]> cropMaps, Size size)
    {
        int w = Rescaled.Width, h = Rescaled.Height;
        var sum = new float[w * h];
        var count = new int[w * h];
        for (int i = 0; i < Crops.Count; i++)
        {
            var c = Crops[i];
            var map = cropMaps[i];
            for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int source = y * Side + (c.Mirrored ? Side - 1 - x : x);
                int target = (c.Y + y) * w + c.X + x;
                sum[target] += map[source];
                count[target]++;
            }
        }
        // Only --crops 1 leaves pixels outside every crop: the score does not depend on them, so 0 is their gradient.
        for (int i = 0; i < sum.Length; i++) sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
        if (w == size.Width && h == size.Height) return sum;
        using var small = new Mat(h, w, MatType.CV_32FC1);
        small.SetArray(sum);
        using var large = small.Resize(size, 0, 0, InterpolationFlags.Linear);
        large.GetArray(out float[] result);
        return result;
    }
}
