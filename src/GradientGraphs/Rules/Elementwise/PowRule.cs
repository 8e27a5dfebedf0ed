using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>
/// Pow with a constant exponent p (a decomposed layer norm squares its centred input):
/// dX = dY p X^(p-1), the factor computed once on the forward tensors. An exponent from the graph
/// is refused (it could depend on the image, and the rule gives it no gradient).
/// </summary>
public sealed class PowRule : UnaryRule
{
    public override string OpType => "Pow";

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        facts.Constant(node.Input[1]) == null ? "only a constant exponent is supported"
        : !Shapes.Broadcast(facts.Shape(node.Input[0]), facts.Shape(node.Input[1])).SequenceEqual(facts.Shape(node.Input[0]))
            ? "an exponent that broadcasts the base is not supported"
        : null;

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var e = ctx.E;
        var exponent = ctx.Facts.Constant(node.Input[1])!;
        // As floats whatever the stored type: Pow also takes an integer exponent.
        var p = Tensors.ToFloats(exponent);
        long[] dims = [.. exponent.Dims];
        var lowered = e.FloatConstant(dims, p.Select(v => v - 1).ToArray(), "pow_exponent_minus_one");
        var factor = e.Mul(e.Op("Pow", node.Input[0], lowered), e.FloatConstant(dims, p, "pow_exponent"));
        var x = ctx.Shape(node.Input[0]);
        return ctx.MulByForward(dY, x, factor, x);
    }
}
