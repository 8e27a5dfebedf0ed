using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Images;

namespace Pipeline.Sanity;

/// <summary>One image as the sanity check uses it: its centre crop (as `run --crops 1` takes it) and that crop's tensor.</summary>
public sealed record SanityImage(string Id, Mat Crop, float[] Tensor) : IDisposable
{
    public void Dispose() => Crop.Dispose();
}

/// <summary>Reads the first images of a list into centre crops; an image that cannot be read is skipped with one line naming it.</summary>
public static class SanityImages
{
    public static List<SanityImage> Load(IReadOnlyList<ImageEntry> entries, ModelCard card, int limit, long maxPixels, Action<string> notice)
    {
        var images = new List<SanityImage>();
        foreach (var entry in entries)
        {
            if (images.Count == limit) break;
            try { images.Add(Load(entry, card, maxPixels)); }
            catch (InputException e) { notice($"skipped {entry.Path}: {e.Message}"); }
        }
        return images;
    }

    private static SanityImage Load(ImageEntry entry, ModelCard card, long maxPixels)
    {
        var header = ImageProbe.Read(entry.Path);
        var layout = CropLayout.For(new Size(header.Width, header.Height), card, 1);
        using var decoded = ImageDecoder.Decode(entry.Path, header, layout.Rescaled, maxPixels);
        var tensor = layout.ToTensor(decoded, card.Pixels);
        var interpolation = layout.Rescaled.Width < decoded.Width ? InterpolationFlags.Area : InterpolationFlags.Linear;
        using var rescaled = decoded.Resize(layout.Rescaled, 0, 0, interpolation);
        var c = layout.Crops[0];
        using var view = new Mat(rescaled, new Rect(c.X, c.Y, layout.Side, layout.Side));
        return new SanityImage(entry.Id, view.Clone(), tensor);
    }
}
