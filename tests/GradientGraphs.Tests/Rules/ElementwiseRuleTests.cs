using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Broadcasting arithmetic where one or both operands depend on the image.</summary>
public class ElementwiseRuleTests
{
    private static (TinyGraph G, string A, string B) TwoBranches()
    {
        var g = new TinyGraph([1, 3, 4, 4]);
        var a = g.Op("Conv", [g.X, g.Weights(3, 3, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));
        var b = g.Op("Conv", [g.X, g.Weights(3, 3, 1, 1)]);
        return (g, a, b);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Sum")]
    public void Both_operands_on_the_path(string op)
    {
        var (g, a, b) = TwoBranches();
        FiniteDifferences.Check(g.Finish(g.Op(op, [a, b])), [1, 3, 4, 4], [op]);
    }

    [Fact]
    public void Div_both_operands_on_the_path()
    {
        var (g, a, b) = TwoBranches();
        var positive = g.Op("Add", [g.Op("Sigmoid", [b]), g.Constant([], [0.5f])]);
        FiniteDifferences.Check(g.Finish(g.Op("Div", [a, positive])), [1, 3, 4, 4], ["Div"]);
    }

    [Fact]
    public void Squeeze_and_excitation_broadcast()
    {
        var (g, a, _) = TwoBranches();
        var gate = g.Op("Sigmoid", [g.Op("Conv", [g.Op("GlobalAveragePool", [a]), g.Weights(3, 3, 1, 1)])]);
        FiniteDifferences.Check(g.Finish(g.Op("Mul", [a, gate])), [1, 3, 4, 4], ["Mul", "GlobalAveragePool", "Sigmoid"]);
    }

    [Fact]
    public void Sqrt_of_a_positive_activation()
    {
        var (g, a, _) = TwoBranches();
        var positive = g.Op("Add", [g.Op("Mul", [a, a]), g.Constant([], [0.3f])]);
        FiniteDifferences.Check(g.Finish(g.Op("Sqrt", [positive])), [1, 3, 4, 4], ["Sqrt", "Mul"]);
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(0.5f)]
    [InlineData(-1.5f)]
    public void Pow_with_a_constant_exponent(float exponent)
    {
        var (g, a, _) = TwoBranches();
        // A positive base, so that fractional and negative exponents are defined.
        var positive = g.Op("Add", [g.Op("Sigmoid", [a]), g.Constant([], [0.5f])]);
        FiniteDifferences.Check(g.Finish(g.Op("Pow", [positive, g.Constant([], [exponent])])), [1, 3, 4, 4], ["Pow"]);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Constant_operand_broadcast_per_channel(string op)
    {
        var (g, a, _) = TwoBranches();
        var constant = g.Constant([1, 3, 1, 1], [0.7f, 1.3f, -2f]);
        FiniteDifferences.Check(g.Finish(g.Op(op, [constant, a])), [1, 3, 4, 4], [op]);
    }
}
