using System.Globalization;
using Pipeline.Cards;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>Integrated Gradients' baselines: black in the model's units, the blur against NumPy, the noise's range and repeatability.</summary>
public class IntegratedGradientsBaselineTests
{
    private static readonly PixelTransform Pixels = new(true, 1f / 255, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    private static float[] Crop(int side)
    {
        var random = new Random(5);
        return Enumerable.Range(0, 3 * side * side).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    [Fact]
    public void Black_is_pixel_zero_in_the_models_units()
    {
        var black = IntegratedGradientsBaseline.Black.For(Crop(4), 4, Pixels);
        for (int ch = 0; ch < 3; ch++)
            Assert.All(black.Skip(ch * 16).Take(16), v => Assert.Equal(-Pixels.Mean[ch] / Pixels.Std[ch], v, 6));
    }

    [Fact]
    public void Blur_is_a_gaussian_of_a_tenth_of_the_side_computed_independently()
    {
        const int side = 40;
        var crop = Crop(side);
        var blurred = IntegratedGradientsBaseline.Blur.For(crop, side, Pixels);
        // NumPy: the separable Gaussian of sigma 0.1 side, radius ceil(3 sigma), mirrored at the border without repeating the edge.
        var script = """
            import sys, numpy as np
            side = int(sys.argv[1]); x = np.array(sys.stdin.read().split(), dtype=np.float64).reshape(3, side, side)
            sigma = 0.1 * side; r = int(np.ceil(3 * sigma)); t = np.arange(-r, r + 1)
            k = np.exp(-t ** 2 / (2 * sigma ** 2)); k /= k.sum()
            p = np.pad(x, ((0, 0), (r, r), (r, r)), mode="reflect")
            rows = np.stack([np.convolve(row, k, mode="valid") for row in p.reshape(-1, p.shape[2])]).reshape(3, p.shape[1], side)
            out = np.stack([np.convolve(col, k, mode="valid") for col in rows.transpose(0, 2, 1).reshape(-1, p.shape[1])]).reshape(3, side, side).transpose(0, 2, 1)
            print(" ".join(repr(v) for v in out.ravel()))
            """;
        var expected = PythonWithInput(script, string.Join(' ', crop.Select(v => v.ToString("R", CultureInfo.InvariantCulture))), side.ToString())
            .Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, blurred.Length);
        double worst = expected.Zip(blurred, (e, b) => Math.Abs(e - b)).Max();
        Assert.True(worst < 1e-4, $"largest difference from NumPy's blur {worst}");
        // Strong: the crop's detail is gone (random values of spread ~1.2 become nearly flat).
        Assert.True(Spread(blurred) < 0.1 * Spread(crop), $"spread {Spread(blurred)} against {Spread(crop)}");
    }

    [Fact]
    public void Noise_covers_the_pixel_range_and_repeats()
    {
        var a = IntegratedGradientsBaseline.Noise.For(Crop(32), 32, Pixels);
        var b = IntegratedGradientsBaseline.Noise.For(Crop(16).Concat(new float[3 * 32 * 32 - 3 * 16 * 16]).ToArray(), 32, Pixels);
        Assert.Equal(a, b); // the crop does not change it: one fixed noise image
        int plane = 32 * 32;
        for (int ch = 0; ch < 3; ch++)
        {
            var channel = a.Skip(ch * plane).Take(plane).Select(v => (v * Pixels.Std[ch] + Pixels.Mean[ch]) * 255).ToList();
            Assert.All(channel, v => Assert.InRange(v, -1e-3, 255 + 1e-3));
            Assert.InRange(channel.Average(), 120, 135); // uniform over [0, 255]: mean 127.5, standard error about 2.3
            Assert.True(channel.Min() < 5 && channel.Max() > 250);
        }
    }

    private static double Spread(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    private static string PythonWithInput(string script, string input, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3 failed: {stderr.Result}");
        return stdout.Result.Trim();
    }
}
