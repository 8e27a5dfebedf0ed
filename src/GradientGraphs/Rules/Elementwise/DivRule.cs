using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>Div: dA = dY / B, dB = -dY * Y / B.</summary>
public sealed class DivRule : BroadcastingRule
{
    public override string OpType => "Div";

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx)
    {
        var b = node.Input[1];
        return input == 0
            ? ctx.MulByForward(dY, yShape, ctx.E.Op("Reciprocal", b), ctx.Shape(b))
            : ctx.MulByForward(dY, yShape, ctx.E.Neg(ctx.E.Div(node.Output[0], b)), yShape);
    }
}
