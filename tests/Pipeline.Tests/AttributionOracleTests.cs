using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Tests.Support;
using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Saliency;
using Xunit.Abstractions;

namespace Pipeline.Tests;

/// <summary>
/// Integrated Gradients and Input x Gradient against torch autograd (tests/oracle/torch_attributions.py,
/// float64) on the torch oracle's AlexNet fixture: the same weights, image and classes, the same blurred
/// baseline (written by the test), the same steps, by each path rule (torch's side takes NumPy's Gauss-Legendre nodes). Criterion as for the gradients
/// (GradientGraphs.Tests' TorchOracleTests): cosine similarity and largest difference against the largest value.
/// </summary>
[Trait("Category", "Oracle")]
public class AttributionOracleTests(ITestOutputHelper output, TorchOracleFixtures oracles) : IClassFixture<TorchOracleFixtures>, IDisposable
{
    private const int Classes = 2, Steps = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-attributions-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Integrated_gradients_and_input_x_gradient_match_torch_autograd()
    {
        var oracle = oracles.For("alexnet", "gradient");
        int side = oracle.Size, size = 3 * side * side;
        var image = oracle.Image[..size];
        long[] classes = oracle.ClassIndex[0][..Classes];
        // The oracle's images are in the network's units already: the pixel transform only matters to the black and noise baselines.
        var baseline = IntegratedGradientsBaseline.Blur.For(image, side, new PixelTransform(true, 1, [0, 0, 0], [1, 1, 1]));
        var baselineFile = Path.Combine(_dir, "baseline.bin");
        File.WriteAllBytes(baselineFile, baseline.SelectMany(BitConverter.GetBytes).ToArray());
        var model = GradientGraphBuilder.Build(File.ReadAllBytes(oracle.Model(17)), new BuildOptions()).ToByteArray();
        using var runner = new GradientRunner(model, new DeviceChoice("cpu"), 2);
        string? reference = null;
        foreach (var rule in Enum.GetValues<PathRule>())
        {
            reference = oracle.Attributions(["--baseline", baselineFile, "--steps", $"{Steps}", "--classes", $"{Classes}", "--rule", rule.Word()], output.WriteLine);
            var ig = new IntegratedGradientsMethod(Steps, IntegratedGradientsBaseline.Blur, rule).Attributions(runner, image, classes, baseline);
            Compare($"integrated gradients ({rule.Word()})", ig, TorchOracle.ReadFloats(reference, "integrated_gradients.bin"), size,
                TorchOracle.ReadFloats(reference, "integrated_gradients_float32.bin"));
        }

        var ixg = Enumerable.Range(0, Classes).Select(k => InputTimesGradientMethod.Attributions(image,
            runner.Gradients(image, 1, [classes]).AsSpan(k * size, size))).ToArray();
        Compare("input x gradient", ixg, TorchOracle.ReadFloats(reference!, "input_x_gradient.bin"), size);
    }

    /// <summary>
    /// Against torch's float64 attributions: cosine at least 0.999, and the largest difference within 1e-4
    /// of the largest value, or within three times torch's own float32 error where it is given (a path of
    /// many points crosses more ReLU and max-pool boundaries, where float32 rounding alone flips a choice).
    /// </summary>
    private void Compare(string method, float[][] ours, float[] torch, int size, float[]? torchFloat32 = null)
    {
        Assert.Equal(ours.Length * size, torch.Length);
        for (int k = 0; k < ours.Length; k++)
        {
            var theirs = torch.AsSpan(k * size, size).ToArray();
            double dot = 0, a2 = 0, b2 = 0, largest = 0, worst = 0;
            for (int i = 0; i < size; i++)
            {
                dot += (double)ours[k][i] * theirs[i];
                a2 += (double)ours[k][i] * ours[k][i];
                b2 += (double)theirs[i] * theirs[i];
                largest = Math.Max(largest, Math.Abs(theirs[i]));
                worst = Math.Max(worst, Math.Abs(ours[k][i] - theirs[i]));
            }
            double cosine = dot / Math.Sqrt(a2 * b2);
            double torchWorst = torchFloat32 == null ? 0 : Enumerable.Range(0, size).Max(i => Math.Abs(torchFloat32[k * size + i] - theirs[i]));
            double bound = Math.Max(1e-4 * largest, 3 * torchWorst);
            output.WriteLine($"{method}, class {k}: cosine {cosine:F6}, largest difference {worst / largest:g3} of the largest value {largest:g3}"
                + (torchFloat32 == null ? "" : $" (torch float32: {torchWorst / largest:g3})"));
            Assert.True(largest > 0, $"{method}, class {k}: torch's attributions are zero");
            Assert.True(cosine >= 0.999, $"{method}, class {k}: cosine similarity {cosine}");
            Assert.True(worst <= bound, $"{method}, class {k}: largest difference {worst} against largest value {largest}, bound {bound}");
        }
    }
}
