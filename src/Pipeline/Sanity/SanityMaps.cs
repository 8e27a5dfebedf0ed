using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Sanity;

/// <summary>The maps of one model for every image: the method's map and, where the method has one, its signed map.</summary>
public sealed record ModelMaps(float[][] Maps, float[][]? Signed);

/// <summary>
/// Makes a model's maps of the images' crops for fixed classes (the trained model's choice, so every
/// randomised model explains the same class). The signed map, for the rank correlation without
/// absolute values, is the saliency method's gradient summed over colour channels; other methods'
/// maps have no sign here, and that column is left empty for them.
/// </summary>
public static class SanityMaps
{
    /// <summary>Crops per gradient pass: memory grows with it.</summary>
    private const int CropsPerPass = 8;

    public static ModelMaps For(GradientRunner runner, MapMethod method, IReadOnlyList<SanityImage> images, long[] classes, Cards.PixelTransform pixels, int side)
    {
        var maps = new float[images.Count][];
        var signed = method is SaliencyMethod ? new float[images.Count][] : null;
        int size = 3 * side * side;
        for (int first = 0; first < images.Count; first += CropsPerPass)
        {
            int count = Math.Min(CropsPerPass, images.Count - first);
            var tensor = new float[count * size];
            for (int i = 0; i < count; i++) images[first + i].Tensor.CopyTo(tensor, i * size);
            var classIndex = Enumerable.Range(first, count).Select(i => new[] { classes[i] }).ToArray();
            if (method is SaliencyMethod saliency)
            {
                // One pass gives both: the method's map is the gradient's channel maximum of magnitudes.
                var gradients = runner.Gradients(tensor, count, classIndex);
                for (int i = 0; i < count; i++)
                {
                    var g = gradients.AsSpan(i * size, size);
                    maps[first + i] = saliency.CropMap(g, default, null, side);
                    signed![first + i] = ChannelSum(g, side * side);
                }
            }
            else
            {
                var cropMaps = method.Maps(runner, new CropBatch(tensor, count, classIndex, side, pixels));
                for (int i = 0; i < count; i++) maps[first + i] = cropMaps[i];
            }
        }
        return new ModelMaps(maps, signed);
    }

    private static float[] ChannelSum(ReadOnlySpan<float> gradient, int plane)
    {
        var sum = new float[plane];
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < plane; i++) sum[i] += gradient[c * plane + i];
        return sum;
    }
}
