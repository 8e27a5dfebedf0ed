using Pipeline.Cards;
namespace Pipeline.Saliency;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise"): the saliency map
/// averaged over `Copies` copies of each crop with Gaussian noise of standard deviation `Noise` times
/// the input range added (in model input units: Noise * 255 * scale / std for each channel). The
/// classes are ranked on the clean crops. One copy without noise is the plain map. The noise is seeded
/// by the copy's number, so a run (and a resumed run) gives the same maps every time.
/// </summary>
public sealed record SmoothGrad(int Copies, double Noise)
{
    public static readonly SmoothGrad Plain = new(1, 0);

    /// <summary>Copy number `copy` of a crop batch [crops, 3, side, side], with its noise added.</summary>
    public float[] NoisyCopy(float[] tensor, int side, int copy, PixelTransform pixels)
    {
        if (Noise == 0) return tensor;
        var random = new Random(1 + copy);
        var sigma = Enumerable.Range(0, 3).Select(c => Noise * 255 * pixels.Scale / pixels.Std[c]).ToArray();
        int plane = side * side;
        var noisy = new float[tensor.Length];
        for (int i = 0; i < tensor.Length; i++)
        {
            // Box-Muller: a standard normal sample from two uniform ones.
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            noisy[i] = tensor[i] + (float)(gaussian * sigma[i / plane % 3]);
        }
        return noisy;
    }
}
