using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Layout ops against finite differences; each sits between two Convs so positions matter.</summary>
public class ShapeRuleTests
{
    private static TinyGraph Graph(out string mixed)
    {
        var g = new TinyGraph([1, 4, 4, 4]);
        mixed = g.Op("Conv", [g.X, g.Weights(4, 4, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));
        return g;
    }

    private static void Check(TinyGraph g, string y, params string[] exercises) => FiniteDifferences.Check(g.Finish(y), [1, 4, 4, 4], exercises);

    [Fact]
    public void Channel_shuffle_with_fixed_batch_reshapes_and_transpose()
    {
        var g = Graph(out var x);
        var grouped = g.Op("Reshape", [x, g.Ints(1, 2, 2, 4, 4)]);
        var shuffled = g.Op("Transpose", [grouped], n => n.Set("perm", [0L, 2, 1, 3, 4]));
        var back = g.Op("Reshape", [shuffled, g.Ints(1, -1, 4, 4)]);
        Check(g, g.Op("Conv", [back, g.Weights(2, 4, 3, 3)]), "Reshape", "Transpose");
    }

    [Fact]
    public void Flatten_then_reshape_to_minus_one() 
    {
        var g = Graph(out var x);
        Check(g, g.Op("Reshape", [g.Op("Flatten", [x]), g.Ints(-1, 8, 8)]), "Flatten", "Reshape");
    }

    [Fact]
    public void Squeeze_and_unsqueeze()
    {
        var g = Graph(out var x);
        var pooled = g.Op("GlobalAveragePool", [x]);
        var squeezed = g.Op("Squeeze", [pooled, g.Ints(2, 3)]);
        Check(g, g.Op("Unsqueeze", [squeezed, g.Ints(1)]), "Squeeze", "Unsqueeze");
    }

    [Fact]
    public void Squeeze_without_axes_keeps_the_batch()
    {
        var g = Graph(out var x);
        Check(g, g.Op("Squeeze", [g.Op("GlobalAveragePool", [x])]), "Squeeze");
    }

    [Fact]
    public void Concat_and_split()
    {
        var g = Graph(out var x);
        var other = g.Op("Conv", [g.X, g.Weights(2, 4, 1, 1)]);
        var joined = g.Op("Concat", [x, other], n => n.Set("axis", 1L));
        var parts = g.Node("Split", [joined, g.Ints(1, 5)], 2, n => n.Set("axis", 1L));
        // Only the second part reaches the score: the first gets a zero gradient.
        Check(g, g.Op("Conv", [parts[1], g.Weights(2, 5, 3, 3)]), "Concat", "Split");
    }

    [Fact]
    public void Split_into_equal_parts_without_sizes()
    {
        // 6 channels, no split sizes: two parts of 3; only the second reaches the score.
        var g = Graph(out var x);
        var joined = g.Op("Concat", [x, g.Op("Conv", [g.X, g.Weights(2, 4, 1, 1)])], n => n.Set("axis", 1L));
        var parts = g.Node("Split", [joined], 2, n => n.Set("axis", 1L));
        Check(g, g.Op("Conv", [parts[1], g.Weights(2, 3, 3, 3)]), "Split");
    }

    [Fact]
    public void Slice_with_negative_and_clamped_bounds()
    {
        var g = Graph(out var x);
        Check(g, g.Op("Slice", [x, g.Ints(1, -3), g.Ints(3, 100), g.Ints(1, 3)]), "Slice");
    }

    [Fact]
    public void Pad_positive_and_negative()
    {
        var g = Graph(out var x);
        Check(g, g.Op("Conv", [g.Op("Pad", [x, g.Ints(0, 0, 2, -1, 0, 1, 0, 1)]), g.Weights(2, 5, 3, 3)]), "Pad");
    }

    [Fact]
    public void Dropout_and_identity_pass_through()
    {
        var g = Graph(out var x);
        Check(g, g.Op("Identity", [g.Op("Dropout", [x], outputs: 2)]), "Dropout", "Identity");
    }
}
