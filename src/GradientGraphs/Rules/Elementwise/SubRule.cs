using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>Sub: dA = dY, dB = -dY.</summary>
public sealed class SubRule : BroadcastingRule
{
    public override string OpType => "Sub";

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) =>
        input == 0 ? dY : ctx.E.Neg(dY);
}
