using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// Clip(min, max), e.g. ReLU6: D = [min &lt;= X &lt;= max], found in one comparison as [X == Y]
/// (at a bound exactly Clip has no derivative; PyTorch's clamp takes the same one-sided value).
/// The lower bound is the rectifier: deconvnet gives R(dY) = max(dY, 0) * [X &lt;= max], keeping the
/// upper bound's saturation as the gradient does; guided gives max(dY, 0) * D.
/// Without a lower bound Clip is no rectifier, and every method uses the gradient. The bounds may
/// come from the graph at run time (the backward reads them there), but not from the image.
/// </summary>
public sealed class ClipRule : RectifierRule
{
    public override string OpType => "Clip";

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        new[] { 1, 2 }.Any(i => HasBound(node, i) && facts.HasShape(node.Input[i]) && Shapes.HasBatch(facts.Shape(node.Input[i])))
            ? "a bound computed from the image is not supported" : null;

    private static bool HasBound(NodeProto node, int input) => !string.IsNullOrEmpty(node.Input.ElementAtOrDefault(input));

    protected override bool Rectifies(NodeProto node) => HasBound(node, 1);

    protected override string Derivative(NodeProto node, GraphEmitter e) =>
        e.CastToFloat(e.Op("Equal", node.Input[0], node.Output[0]));

    protected override string RectifySignal(NodeProto node, string dY, BackwardContext ctx)
    {
        var rectified = ctx.E.Relu(dY);
        return HasBound(node, 2)
            ? MulByMask(node, rectified, ctx.E.CastToFloat(ctx.E.Op("LessOrEqual", node.Input[0], node.Input[2])), ctx)
            : rectified;
    }
}
