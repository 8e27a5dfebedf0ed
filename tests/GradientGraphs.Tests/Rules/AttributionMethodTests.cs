using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>
/// The three backward rules through one rectifier (Relu, LeakyRelu, Clip with both bounds and with a lower bound only), against their definitions computed here by hand: for
/// scores y = W2 f(W1 x) per pixel (1x1 convolutions) and h = W1 x, the input gradient of score k is W1^T s with
/// s = D(h) * W2[k] (gradient), R(W2[k]) (deconvnet) or D(h) * R(W2[k]) (guided), where D is f's derivative and
/// R the rectifier applied to the backward signal (Simonyan et al. 2014, Sect. 4; Springenberg et al. 2015).
/// The torch oracle tests check the same on whole networks; these run in a second.
/// </summary>
public class AttributionMethodTests
{
    // 3 input channels, 4 hidden, 2 output channels; the hidden units come out on both sides of 0 and of the bounds below.
    private static readonly float[] W1 = [0.9f, -0.4f, 0.3f, -0.7f, 0.2f, 0.8f, 0.5f, 0.6f, -0.9f, -0.2f, -0.8f, 0.4f];
    private static readonly float[] W2 = [0.7f, -0.6f, 0.5f, -0.3f, -0.4f, 0.9f, -0.8f, 0.2f];
    private static readonly float[] Image = [
        0.5f, -1.0f, 0.8f, 0.1f,    // channel 0 at the 4 pixels of a 2x2 image
        -0.3f, 0.7f, 0.9f, -0.6f,   // channel 1
        1.0f, 0.2f, -0.5f, 0.4f];   // channel 2

    public static TheoryData<string, AttributionMethod> Cases()
    {
        var data = new TheoryData<string, AttributionMethod>();
        foreach (var op in new[] { "Relu", "LeakyRelu", "Clip", "ClipLowerOnly" })
        foreach (var method in Enum.GetValues<AttributionMethod>())
            data.Add(op, method);
        return data;
    }

    private const float LeakyAlpha = 0.1f, ClipMin = 0f, ClipMax = 0.6f, ClipLow = 0.05f;

    private static (float D, float R) Rule(string op, float h, float s) => op switch
    {
        "Relu" => (h > 0 ? 1 : 0, Math.Max(s, 0)),
        "LeakyRelu" => (h > 0 ? 1 : LeakyAlpha, s > 0 ? s : LeakyAlpha * s),
        // Clip(0, 0.6), ReLU6-like: the signal is rectified and keeps the upper bound's saturation.
        "Clip" => (h >= ClipMin && h <= ClipMax ? 1 : 0, Math.Max(s, 0) * (h <= ClipMax ? 1 : 0)),
        // Clip(0.05) without an upper bound: a shifted ReLU.
        "ClipLowerOnly" => (h >= ClipLow ? 1 : 0, Math.Max(s, 0)),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rectifier_gives_each_method_its_definition(string op, AttributionMethod method)
    {
        long[] shape = [1, 3, 2, 2];
        var g = new TinyGraph(shape);
        var h = g.Op("Conv", [g.X, g.Constant([4, 3, 1, 1], W1)]);
        var f = op switch
        {
            "Relu" => g.Op("Relu", [h]),
            "LeakyRelu" => g.Op("LeakyRelu", [h], n => n.Set("alpha", LeakyAlpha)),
            "Clip" => g.Op("Clip", [h, g.Constant([], [ClipMin]), g.Constant([], [ClipMax])]),
            _ => g.Op("Clip", [h, g.Constant([], [ClipLow])]),
        };
        var y = g.Op("Conv", [f, g.Constant([2, 4, 1, 1], W2)]);
        var model = GradientGraphBuilder.Build(g.Finish(y), new BuildOptions { Method = method });

        // Scores are y flattened: index k * 4 + p is output channel k at pixel p.
        long[][] classes = [[0, 5, 3, 6]];
        using var ort = new Ort(model.ToByteArray());
        var grad = ort.Run(Image, shape, classes)["input_grad"].Values;

        var expected = Expected(op, method, classes[0]);
        for (int ci = 0; ci < classes[0].Length; ci++)
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(expected[ci][i] - grad[ci * 12 + i]) < 1e-5, $"{op} {method}, score {classes[0][ci]}, input {i}: {grad[ci * 12 + i]}, by hand {expected[ci][i]}");
        // The case tells the three methods apart: their hand-computed gradients differ.
        foreach (var other in Enum.GetValues<AttributionMethod>().Where(m => m != method))
            Assert.True(Expected(op, other, classes[0]).Zip(expected).Any(p => p.First.Zip(p.Second).Any(v => Math.Abs(v.First - v.Second) > 1e-3)),
                $"{op}: {method} and {other} agree on this case, which cannot tell them apart");
    }

    /// <summary>Per class, the 12 input-gradient values by the definitions above.</summary>
    private static double[][] Expected(string op, AttributionMethod method, long[] classes) => classes.Select(cls =>
    {
        int k = (int)cls / 4, p = (int)cls % 4;
        var expected = new double[12];
        for (int j = 0; j < 4; j++)
        {
            double hj = 0;
            for (int c = 0; c < 3; c++) hj += W1[j * 3 + c] * Image[c * 4 + p];
            float signal = W2[k * 4 + j];
            var (d, r) = Rule(op, (float)hj, signal);
            double s = method switch
            {
                AttributionMethod.Gradient => d * signal,
                AttributionMethod.DeconvNet => r,
                _ => d * r,
            };
            for (int c = 0; c < 3; c++) expected[c * 4 + p] += W1[j * 3 + c] * s;
        }
        return expected;
    }).ToArray();
}
