using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// Clip(min, max), e.g. ReLU6: D = [min &lt; X &lt; max], read from the output alone as
/// [min &lt; Y &lt; max] (the same set: Clip is the identity between its bounds), so the forward keeps
/// ONNX Runtime's fused Conv+Clip (X would otherwise be a second consumer of the Conv's output).
/// At a bound exactly Clip has no derivative; the open interval is PyTorch's ReLU6 (hardtanh) choice.
/// The lower bound is the rectifier: deconvnet gives R(dY) = max(dY, 0) * [Y &lt; max], keeping the
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

    protected override string Derivative(NodeProto node, GraphEmitter e)
    {
        var y = node.Output[0];
        string? above = HasBound(node, 1) ? e.Op("Greater", y, node.Input[1]) : null;
        string? below = HasBound(node, 2) ? e.Op("Less", y, node.Input[2]) : null;
        return (above, below) switch
        {
            (null, null) => e.CastToFloat(e.Op("Equal", node.Input[0], y)),  // no bounds: the identity
            (null, _) => e.CastToFloat(below!),
            (_, null) => e.CastToFloat(above),
            _ => e.CastToFloat(e.Op("And", above, below)),
        };
    }

    protected override string RectifySignal(NodeProto node, string dY, BackwardContext ctx)
    {
        var rectified = ctx.E.Relu(dY);
        // Guided multiplies by D next, which already holds [Y < max].
        return HasBound(node, 2) && ctx.Method == AttributionMethod.DeconvNet
            ? MulByMask(node, rectified, ctx.E.CastToFloat(ctx.E.Op("Less", node.Output[0], node.Input[2])), ctx)
            : rectified;
    }
}
