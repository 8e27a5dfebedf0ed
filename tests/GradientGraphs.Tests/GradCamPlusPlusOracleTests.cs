using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Tests.Support;
using Xunit.Abstractions;

namespace GradientGraphs.Tests;

/// <summary>
/// export-grad --cam's class_activation_plus_plus against Grad-CAM++ written in torch from the paper
/// (tests/oracle/torch_attributions.py: a forward hook on AlexNet's avgpool, the --cam layer here, and
/// autograd's gradient there, in float64). AlexNet's fully connected head makes the gradient at the
/// layer vary over positions, which a global-pooling head would not.
/// </summary>
[Trait("Category", "Oracle")]
public class GradCamPlusPlusOracleTests(ITestOutputHelper output, TorchOracleFixtures oracles) : IClassFixture<TorchOracleFixtures>
{
    [Fact]
    public void Class_activation_plus_plus_matches_torch()
    {
        var oracle = oracles.For("alexnet", "gradient");
        const int classes = 3;
        var reference = TorchOracle.ReadFloats(oracle.Attributions(["--layer", "avgpool", "--classes", $"{classes}"], output.WriteLine), "grad_cam_plus_plus.bin");
        var model = GradientGraphBuilder.Build(File.ReadAllBytes(oracle.Model(17)), new BuildOptions { ClassActivation = true });
        using var ort = new Ort(model.ToByteArray(), threads: 2);
        int size = 3 * oracle.Size * oracle.Size;
        var run = ort.Run(oracle.Image[..size], [1, 3, oracle.Size, oracle.Size], [oracle.ClassIndex[0][..classes]]);
        var (ours, shape) = run[GradientModelContract.ClassActivationPlusPlusOutput];
        Assert.Equal([1L, classes, 6, 6], shape);
        Assert.Equal(reference.Length, ours.Length);

        int plane = 36;
        for (int k = 0; k < classes; k++)
        {
            var (mine, theirs) = (ours.AsSpan(k * plane, plane).ToArray(), reference.AsSpan(k * plane, plane).ToArray());
            float largest = theirs.Max(), worst = mine.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"class {k}: largest {largest:g4}, spread {theirs.Max() - theirs.Min():g4}, largest difference {worst:g3}");
            Assert.True(largest - theirs.Min() > 0.02 * largest, $"class {k}: the reference map is flat, so it would not tell a wrong map");
            Assert.True(worst <= 1e-3 * largest, $"class {k}: largest difference {worst} against largest value {largest}");
        }
    }
}
