using OpenCvSharp;
using Pipeline.Inference;

namespace Pipeline.Measures;

/// <summary>
/// Deletion and insertion (Petsiuk, Das &amp; Saenko 2018, Sect. 4.1): the image's pixels are taken in
/// the order of the map, highest first (equal values in row-major order), `Steps` equal shares a step.
/// Deletion sets them to the model's zero (0 in its input units: the card's mean pixel where the card
/// subtracts one, black where not) starting from the image; insertion copies them from the image into
/// a blurred copy of it. After each step the class probability (<see cref="ClassProbabilities"/>);
/// a map that explains the model makes deletion fall fast (low area) and insertion rise fast (high area).
/// </summary>
public sealed class DeletionInsertion(int steps)
{
    /// <summary>The blur insertion starts from: a Gaussian of 11 x 11 pixels and sigma 5 (the paper's code), edges reflected.</summary>
    public const int BlurKernel = 11;
    public const double BlurSigma = 5;

    public int Steps => steps;

    /// <summary>Both curves for one image [3, side, side] (model units), its map [side x side] and a score index.</summary>
    public (PixelCurve Deletion, PixelCurve Insertion) Curves(GradientRunner runner, float[] image, float[] map, int side, int scoreIndex)
    {
        var order = Order(map);
        var deletion = Curve(runner, image, new float[image.Length], order, side, scoreIndex);
        var insertion = Curve(runner, Blurred(image, side), image, order, side, scoreIndex);
        return (deletion, insertion);
    }

    /// <summary>Pixel indices by map value, highest first; ties in row-major order.</summary>
    public static int[] Order(float[] map) =>
        Enumerable.Range(0, map.Length).OrderByDescending(i => map[i]).ThenBy(i => i).ToArray();

    /// <summary>How many pixels have changed after step k of `steps` (0 at k = 0, every pixel at k = steps).</summary>
    public static int Changed(int k, int steps, int pixels) => (int)((long)k * pixels / steps);

    /// <summary>
    /// From `start`, step k takes the first Changed(k) pixels of `order` from `target`: for deletion the
    /// image towards the model's zero, for insertion the blurred image towards the image.
    /// </summary>
    private PixelCurve Curve(GradientRunner runner, float[] start, float[] target, int[] order, int side, int scoreIndex)
    {
        int plane = side * side;
        var probabilities = ClassProbabilities.Of(runner, steps + 1, (k, span) =>
        {
            start.CopyTo(span);
            int changed = Changed(k, steps, plane);
            for (int j = 0; j < changed; j++)
            {
                int p = order[j];
                for (int ch = 0; ch < 3; ch++) span[ch * plane + p] = target[ch * plane + p];
            }
        });
        return new PixelCurve(
            Enumerable.Range(0, steps + 1).Select(k => (double)Changed(k, steps, plane) / plane).ToArray(),
            probabilities.Select(p => (double)p[scoreIndex]).ToArray());
    }

    /// <summary>The image blurred channel by channel in model units.</summary>
    public static float[] Blurred(float[] image, int side)
    {
        int plane = side * side;
        var blurred = new float[image.Length];
        for (int ch = 0; ch < 3; ch++)
        {
            using var source = new Mat(side, side, MatType.CV_32FC1);
            source.SetArray(image[(ch * plane)..((ch + 1) * plane)]);
            using var result = new Mat();
            Cv2.GaussianBlur(source, result, new Size(BlurKernel, BlurKernel), BlurSigma, BlurSigma, BorderTypes.Reflect101);
            result.GetArray(out float[] values);
            values.CopyTo(blurred, ch * plane);
        }
        return blurred;
    }
}
