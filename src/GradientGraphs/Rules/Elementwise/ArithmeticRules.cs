using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>
/// Broadcasting arithmetic. Each input's gradient is its local derivative times dY, summed
/// over the axes the forward op broadcast that input along.
/// </summary>
public abstract class BroadcastingRule : OpRule
{
    public override long[][] InferShapes(NodeProto node, ForwardFacts facts) =>
        [node.Input.Select(facts.Shape).Aggregate(Shapes.Broadcast)];

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var y = ctx.Shape(node.Output[0]);
        return node.Input.Select((input, i) => needed[i]
            ? ctx.SumToShape(InputGradient(node, i, outputGrads[0]!, y, ctx), y, ctx.Shape(input))
            : null).ToArray();
    }

    /// <summary>d(output)/d(input i) times dY, still of the output's shape.</summary>
    protected abstract string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx);
}

/// <summary>Add and Sum: dX_i = dY.</summary>
public sealed class AddRule(string opType) : BroadcastingRule
{
    public override string OpType => opType;

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) => dY;
}

/// <summary>Sub: dA = dY, dB = -dY.</summary>
public sealed class SubRule : BroadcastingRule
{
    public override string OpType => "Sub";

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) =>
        input == 0 ? dY : ctx.E.Neg(dY);
}

/// <summary>Mul: dA = dY * B, dB = dY * A.</summary>
public sealed class MulRule : BroadcastingRule
{
    public override string OpType => "Mul";

    protected override string InputGradient(NodeProto node, int input, string dY, long[] yShape, BackwardContext ctx) =>
        ctx.MulByForward(dY, yShape, node.Input[1 - input]);
}

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
