using OpenCvSharp;
using Pipeline.Cards;

namespace Pipeline.Saliency;

/// <summary>
/// The image Integrated Gradients' path starts from (`run --ig-baseline`): black; the crop under a
/// strong Gaussian blur (sigma a tenth of the crop side, so that object-sized detail is gone and the
/// colours stay); or uniform noise over the pixel range, the same for every crop and run (a fixed seed).
/// </summary>
public enum IntegratedGradientsBaseline { Black, Blur, Noise }

public static class IntegratedGradientsBaselines
{
    /// <summary>The blur's sigma as a fraction of the crop side.</summary>
    public const double BlurSigma = 0.1;

    /// <summary>The noise's seed: one baseline image for every crop, image and run.</summary>
    public const int NoiseSeed = 1;

    public static string Word(this IntegratedGradientsBaseline baseline) => baseline.ToString().ToLowerInvariant();

    public static IntegratedGradientsBaseline Parse(string word)
    {
        foreach (var baseline in Enum.GetValues<IntegratedGradientsBaseline>())
            if (baseline.Word() == word) return baseline;
        throw new UsageException($"--ig-baseline '{word}': expected {string.Join(", ", Enum.GetValues<IntegratedGradientsBaseline>().Select(b => b.Word()))}");
    }

    /// <summary>The baseline of one crop [3, side, side] in the model's input units.</summary>
    public static float[] For(this IntegratedGradientsBaseline baseline, ReadOnlySpan<float> crop, int side, PixelTransform pixels)
    {
        int plane = side * side;
        var result = new float[3 * plane];
        switch (baseline)
        {
            case IntegratedGradientsBaseline.Black:
                for (int ch = 0; ch < 3; ch++) Array.Fill(result, pixels.Apply(0, ch), ch * plane, plane);
                break;
            case IntegratedGradientsBaseline.Blur:
                // The pixel transform is affine per channel, so blurring the model's input blurs the pixels.
                double sigma = BlurSigma * side;
                int kernel = 2 * (int)Math.Ceiling(3 * sigma) + 1;
                for (int ch = 0; ch < 3; ch++)
                {
                    using var channel = new Mat(side, side, MatType.CV_32FC1);
                    channel.SetArray(crop.Slice(ch * plane, plane).ToArray());
                    using var blurred = channel.GaussianBlur(new Size(kernel, kernel), sigma, sigma, BorderTypes.Reflect101);
                    blurred.GetArray(out float[] values);
                    values.CopyTo(result, ch * plane);
                }
                break;
            case IntegratedGradientsBaseline.Noise:
                var random = new Random(NoiseSeed);
                for (int i = 0; i < result.Length; i++)
                {
                    int ch = i / plane;
                    result[i] = (float)((random.NextDouble() * 255 * pixels.Scale - pixels.Mean[ch]) / pixels.Std[ch]);
                }
                break;
        }
        return result;
    }
}
