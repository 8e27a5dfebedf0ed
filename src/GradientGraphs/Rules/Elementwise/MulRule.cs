using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>Mul: dA = dY * B, dB = dY * A.</summary>
public sealed class MulRule : BroadcastingRule
{
    public override string OpType => "Mul";

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) =>
        ctx.MulByForward(dY, yShape, node.Input[1 - input]);
}
