using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>SmoothGrad: its noise has the asked deviation per channel, and copies without noise give the plain map exactly.</summary>
public class SmoothGradTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    [Fact]
    public void Noise_has_the_asked_deviation_in_each_channel_and_is_the_same_on_every_call()
    {
        var pixels = new PixelTransform(true, 1f / 255, [0.5f, 0.5f, 0.5f], [0.25f, 0.5f, 1f]);
        var smooth = new SmoothGrad(4, 0.1);
        int side = 64;
        var zeros = new float[2 * 3 * side * side];
        var noisy = smooth.NoisyCopy(zeros, side, 2, pixels);
        Assert.Equal(noisy, smooth.NoisyCopy(zeros, side, 2, pixels));
        Assert.NotEqual(noisy, smooth.NoisyCopy(zeros, side, 3, pixels));
        for (int c = 0; c < 3; c++)
        {
            // Channel c of both crops; expected sigma = 0.1 * 255 * (1/255) / std[c] = 0.1 / std[c].
            var values = Enumerable.Range(0, 2).SelectMany(crop => noisy.Skip((crop * 3 + c) * side * side).Take(side * side)).ToArray();
            double mean = values.Average(v => (double)v), sd = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            Assert.InRange(sd, 0.97 * 0.1 / pixels.Std[c], 1.03 * 0.1 / pixels.Std[c]);
            Assert.InRange(mean, -0.05 * sd, 0.05 * sd);
        }
    }

    [Fact]
    public void Copies_without_noise_give_the_plain_map_and_noise_changes_it()
    {
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        var card = runner.Info.StoredCard!;
        var plain = new ExplainSettings(1, 2, new WholeImageLocaliser(), 1024, 100_000_000);
        var parrot = CommandLine.Shared("data", "photos", "parrot.jpg");
        float[][] Maps(ExplainSettings settings)
        {
            using var result = new ImageExplainer(runner, card, settings).Explain(parrot);
            return result.Top.Select(r => r.Map).ToArray();
        }
        var expected = Maps(plain);
        Assert.Equal(expected, Maps(plain with { Smooth = new SmoothGrad(3, 0) }));
        var noisy = Maps(plain with { Smooth = new SmoothGrad(3, 0.1) });
        Assert.NotEqual(expected[0], noisy[0]);
        Assert.Equal(expected[0].Length, noisy[0].Length);
    }
}
