using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Activations against finite differences, with a Conv before them so the signal mixes.</summary>
public class ActivationRuleTests
{
    private static void CheckAfterConv(string op, Func<TinyGraph, string, string> activation)
    {
        var g = new TinyGraph([1, 3, 5, 5]);
        var mixed = g.Op("Conv", [g.X, g.Weights(4, 3, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));
        var y = activation(g, mixed);
        // A second Conv, so each score depends on many activations.
        FiniteDifferences.Check(g.Finish(g.Op("Conv", [y, g.Weights(2, 4, 3, 3)])), [1, 3, 5, 5], [op]);
    }

    [Fact] public void Relu() => CheckAfterConv("Relu", (g, x) => g.Op("Relu", [x]));
    [Fact] public void LeakyRelu() => CheckAfterConv("LeakyRelu", (g, x) => g.Op("LeakyRelu", [x], n => n.Set("alpha", 0.1f)));
    [Fact] public void Clip_both_bounds() => CheckAfterConv("Clip", (g, x) => g.Op("Clip", [x, g.Constant([], [-0.3f]), g.Constant([], [0.4f])]));
    [Fact] public void Clip_lower_bound_only() => CheckAfterConv("Clip", (g, x) => g.Op("Clip", [x, g.Constant([], [0.1f])]));
    [Fact] public void Clip_without_bounds() => CheckAfterConv("Clip", (g, x) => g.Op("Clip", [x]));
    [Fact] public void Clip_upper_bound_only() => CheckAfterConv("Clip", (g, x) => g.Op("Clip", [x, "", g.Constant([], [0.2f])]));
    [Fact] public void Sigmoid() => CheckAfterConv("Sigmoid", (g, x) => g.Op("Sigmoid", [x]));
    [Fact] public void Tanh() => CheckAfterConv("Tanh", (g, x) => g.Op("Tanh", [x]));
    [Fact] public void HardSigmoid() => CheckAfterConv("HardSigmoid", (g, x) => g.Op("HardSigmoid", [g.Op("Mul", [x, g.Constant([], [4f])])], n => { n.Set("alpha", 1f / 6); n.Set("beta", 0.5f); }));
    [Fact] public void HardSigmoid_with_its_own_offset() => CheckAfterConv("HardSigmoid", (g, x) => g.Op("HardSigmoid", [g.Op("Mul", [x, g.Constant([], [4f])])], n => { n.Set("alpha", 0.25f); n.Set("beta", 0.3f); }));
    [Fact] public void HardSwish() => CheckAfterConv("HardSwish", (g, x) => g.Op("HardSwish", [g.Op("Mul", [x, g.Constant([], [5f])])]));
    [Theory]
    [InlineData(AttributionMethod.DeconvNet)]
    [InlineData(AttributionMethod.Guided)]
    public void Clip_without_lower_bound_is_no_rectifier_under_any_method(AttributionMethod method)
    {
        // Clip(max) only saturates: deconvnet and guided emit the same backward as the gradient
        // (one mask, not two) and give the same values.
        var g = new TinyGraph([1, 3, 5, 5]);
        var clipped = g.Op("Clip", [g.Op("Conv", [g.X, g.Weights(4, 3, 3, 3)]), "", g.Constant([], [0.2f])]);
        var source = g.Finish(g.Op("Conv", [clipped, g.Weights(2, 4, 3, 3)]));
        var gradient = GradientGraphBuilder.Build(source, new BuildOptions());
        var other = GradientGraphBuilder.Build(source, new BuildOptions { Method = method });
        Assert.Equal(gradient.Graph.Node.Select(n => n.OpType), other.Graph.Node.Select(n => n.OpType));

        var random = new Random(3);
        var x = Enumerable.Range(0, 2 * 75).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        long[][] classes = [[0, 1], [1, 0]];
        using var a = new Ort(gradient.ToByteArray());
        using var b = new Ort(other.ToByteArray());
        var expected = a.Run(x, [2, 3, 5, 5], classes)["input_grad"].Values;
        Assert.Contains(expected, v => v != 0);
        Assert.Equal(expected, b.Run(x, [2, 3, 5, 5], classes)["input_grad"].Values);
    }

    [Theory]
    [InlineData(AttributionMethod.Gradient, new float[] { 0, 0, 1, 1, 0, 0 })]
    [InlineData(AttributionMethod.DeconvNet, new float[] { 1, 1, 1, 1, 0, 0 })]
    [InlineData(AttributionMethod.Guided, new float[] { 0, 0, 1, 1, 0, 0 })]
    public void ReLU6_passes_the_signal_strictly_between_its_bounds(AttributionMethod method, float[] expected)
    {
        // Worked by hand: the sum of ReLU6 over x = (-1, 0, 3, 5.9, 6, 7); PyTorch's hardtanh backward
        // passes the gradient on the open interval (0, 6). A positive signal of 1 everywhere, so the
        // deconvnet rule passes it below the upper bound whatever x is.
        var g = new TinyGraph([1, 6]);
        var y = g.Op("Clip", [g.X, g.Constant([], [0f]), g.Constant([], [6f])]);
        var model = GradientGraphBuilder.Build(g.Finish(g.Op("ReduceSum", [y, g.Ints(1)], n => n.Set("keepdims", 1L))), new BuildOptions { Method = method });
        using var session = new Ort(model.ToByteArray());
        var grad = session.Run([-1f, 0f, 3f, 5.9f, 6f, 7f], [1, 6], [[0]])["input_grad"].Values;
        Assert.Equal(expected, grad);
    }

    [Fact] public void Erf() => CheckAfterConv("Erf", (g, x) => g.Op("Erf", [x]));

    [Fact]
    public void Gelu_as_exported_with_erf() => CheckAfterConv("Erf", (g, x) =>
    {
        // torch.onnx's GELU: X * 0.5 * (1 + erf(X / sqrt 2)), a Mul of two activations.
        var cdf = g.Op("Add", [g.Op("Erf", [g.Op("Div", [x, g.Constant([], [1.4142135f])])]), g.Constant([], [1f])]);
        return g.Op("Mul", [g.Op("Mul", [x, cdf]), g.Constant([], [0.5f])]);
    });

    [Fact] public void Swish_as_sigmoid_times_input() => CheckAfterConv("Mul", (g, x) => g.Op("Mul", [x, g.Op("Sigmoid", [x])]));
}
