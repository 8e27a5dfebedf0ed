using Google.Protobuf;
using GradientGraphs.Building;

namespace GradientGraphs.Tests.Support;

/// <summary>
/// For a whole network, where element-wise finite differences would take too long:
/// (f(x + h v) - f(x - h v)) / 2h against &lt;input_grad, v&gt;, along the gradient itself and
/// along its restriction to parts of the image. The step is small because a deep piecewise-linear
/// network crosses ReLU and max-pool boundaries along any longer step.
/// </summary>
public static class DirectionalDerivatives
{
    /// <summary>Directions to test along: everywhere, each channel, the left half, the top half.</summary>
    private static IEnumerable<(string Name, Func<int, bool> Keep)> Regions(long[] imageShape)
    {
        int channels = (int)imageShape[1], height = (int)imageShape[2], width = (int)imageShape[3];
        int plane = height * width;
        yield return ("whole image", _ => true);
        for (int ch = 0; ch < channels; ch++)
        {
            int channel = ch;
            yield return ($"channel {channel}", i => i / plane == channel);
        }
        yield return ("left half", i => i % width < width / 2);
        yield return ("top half", i => i % plane / width < height / 2);
    }

    public static void Check(byte[] source, long[] imageShape, Func<Random, float> pixel, int images = 2, int classes = 3,
        double step = 1e-4, double tolerance = 1e-2, string? scoreOutput = null, int seed = 11)
    {
        var gradientModel = GradientGraphBuilder.Build(source, new BuildOptions { ScoreOutput = scoreOutput }).ToByteArray();
        var random = new Random(seed);
        int perImage = (int)imageShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var x = Enumerable.Range(0, perImage * images).Select(_ => pixel(random)).ToArray();

        using var sourceSession = new Ort(source, threads: 2);
        using var gradientSession = new Ort(gradientModel, threads: 2);
        var output = scoreOutput ?? sourceSession.OutputNames.Single();
        float[] Score(float[] image) => sourceSession.Run(image, imageShape)[output].Values;
        // Classes whose score is not zero (a feature after a ReLU can be dead for an image).
        var classIndex = Enumerable.Range(0, images).Select(n =>
        {
            var scores = Score(x.AsSpan(n * perImage, perImage).ToArray());
            var live = Enumerable.Range(0, scores.Length).Where(i => scores[i] != 0).ToArray();
            return Enumerable.Range(0, classes).Select(_ => (long)live[random.Next(live.Length)]).ToArray();
        }).ToArray();
        var result = gradientSession.Run(x, [images, .. imageShape[1..]], classIndex);
        var grad = result["input_grad"].Values;

        for (int n = 0; n < images; n++)
        {
            var image = x.AsSpan(n * perImage, perImage).ToArray();
            var expected = Score(image);
            var forward = result[output].Values.AsSpan(n * expected.Length, expected.Length).ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - forward[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"forward {output}[{n},{i}]: {forward[i]} vs source {expected[i]}");

            for (int k = 0; k < classes; k++)
            {
                var g = grad.AsSpan((n * classes + k) * perImage, perImage).ToArray();
                double gNorm = Math.Sqrt(g.Sum(v => (double)v * v));
                Assert.True(gNorm > 0, $"image {n}, class {classIndex[n][k]}: the gradient is zero");
                double gMax = g.Max(v => Math.Abs(v));
                int c = (int)classIndex[n][k];
                foreach (var (name, keep) in Regions(imageShape))
                {
                    // The gradient restricted to one region: the derivative along it is the sum of
                    // true gradient times ours over the region, so a misplaced gradient fails.
                    var v = g.Select((gi, i) => keep(i) ? (float)(gi / gMax) : 0f).ToArray();
                    var plus = image.Select((p, i) => (float)(p + step * v[i])).ToArray();
                    var minus = image.Select((p, i) => (float)(p - step * v[i])).ToArray();
                    double numeric = (Score(plus)[c] - (double)Score(minus)[c]) / (2 * step);
                    double analytic = g.Select((gi, i) => (double)gi * v[i]).Sum();
                    double scale = g.Select((gi, i) => (double)gi * gi / gMax).Sum();
                    if (Math.Abs(numeric - analytic) > tolerance * scale)
                        Assert.Fail($"image {n}, class {c}, {name}: directional derivative {numeric:g6} by finite differences, {analytic:g6} from input_grad (scale {scale:g4})");
                }
            }
        }
    }
}
