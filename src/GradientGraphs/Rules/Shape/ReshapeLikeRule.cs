using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>
/// Ops that only change how the same elements are indexed: the backward reshapes dY to the
/// input's shape. The batch dimension must stay in front and whole.
/// </summary>
public abstract class ReshapeLikeRule : UnaryRule
{
    protected override string Backward(NodeProto node, string dY, BackwardContext ctx) =>
        ctx.E.Reshape(dY, [-1, .. Shapes.Rest(ctx.Shape(node.Input[0]))]);
}
