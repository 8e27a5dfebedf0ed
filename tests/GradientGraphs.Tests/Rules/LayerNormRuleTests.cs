using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>
/// Layer norm as ConvNeXt exports it, channels last: LayerNormalization at opset 17, and the
/// opset-13 decomposition (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add).
/// </summary>
public class LayerNormRuleTests
{
    private static (TinyGraph G, string ChannelsLast) Graph()
    {
        var g = new TinyGraph([1, 4, 3, 3]);
        var mixed = g.Op("Conv", [g.X, g.Weights(4, 4, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));
        return (g, g.Op("Transpose", [mixed], n => n.Set("perm", [0L, 2, 3, 1])));
    }

    private static void Check(TinyGraph g, string normalised, params string[] exercises)
    {
        // Back to channels first and through a Conv, so every normalised value reaches each score.
        var back = g.Op("Transpose", [normalised], n => n.Set("perm", [0L, 3, 1, 2]));
        FiniteDifferences.Check(g.Finish(g.Op("Conv", [back, g.Weights(2, 4, 3, 3)])), [1, 4, 3, 3], exercises);
    }

    [Theory]
    [InlineData(-1, true)]    // ConvNeXt: over the channels
    [InlineData(-1, false)]   // without bias
    [InlineData(2, true)]     // over the last two axes
    public void LayerNormalization(int axis, bool bias)
    {
        var (g, x) = Graph();
        var shape = axis == -1 ? new long[] { 4 } : [3, 4];
        string[] inputs = bias ? [x, g.Weights(shape), g.Weights(shape)] : [x, g.Weights(shape)];
        var y = g.Op("LayerNormalization", inputs, n => { n.Set("axis", (long)axis); n.Set("epsilon", 1e-3f); });
        Check(g, y, "LayerNormalization");
    }

    [Fact]
    public void LayerNormalization_without_an_axis_normalises_over_the_last()
    {
        // The ONNX default axis is -1: the channels here (the tensor is channels last).
        var (g, x) = Graph();
        Check(g, g.Op("LayerNormalization", [x, g.Weights(4), g.Weights(4)], n => n.Set("epsilon", 1e-3f)), "LayerNormalization");
    }

    [Fact]
    public void Opset13_decomposed_layer_norm()
    {
        var (g, x) = Graph();
        var mean = g.Op("ReduceMean", [x], n => n.Set("axes", [-1L]));
        var centred = g.Op("Sub", [x, mean]);
        var variance = g.Op("ReduceMean", [g.Op("Pow", [centred, g.Constant([], [2f])])], n => n.Set("axes", [-1L]));
        var deviation = g.Op("Sqrt", [g.Op("Add", [variance, g.Constant([], [1e-3f])])]);
        var y = g.Op("Add", [g.Op("Mul", [g.Op("Div", [centred, deviation]), g.Weights(4)]), g.Weights(4)]);
        Check(g, y, "ReduceMean", "Sub", "Pow", "Sqrt", "Div", "Mul");
    }
}
