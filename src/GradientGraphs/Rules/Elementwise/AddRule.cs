using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>Add and Sum: dX_i = dY.</summary>
public sealed class AddRule(string opType) : BroadcastingRule
{
    public override string OpType => opType;

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) => dY;
}
