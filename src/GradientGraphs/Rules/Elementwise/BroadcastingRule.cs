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
