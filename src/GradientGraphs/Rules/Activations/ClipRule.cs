using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// Clip(min, max), e.g. ReLU6: D = [min &lt; X &lt; max] (strict, as for Relu).
/// The lower bound is the rectifier: deconvnet gives R(dY) = max(dY, 0) * [X &lt; max], keeping the
/// upper bound's saturation as the gradient does; guided gives max(dY, 0) * D.
/// Without a lower bound Clip is no rectifier, and every rule uses the gradient.
/// </summary>
public sealed class ClipRule : RectifierRule
{
    public override string OpType => "Clip";

    public override string? Refusal(NodeProto node, ForwardFacts facts)
    {
        try { facts.OptionalConstantFloats(node, 1); facts.OptionalConstantFloats(node, 2); return null; }
        catch (GraphException e) { return e.Message; }
    }

    private static string? Bound(NodeProto node, int input) =>
        string.IsNullOrEmpty(node.Input.ElementAtOrDefault(input)) ? null : node.Input[input];

    private static string InsideUpper(NodeProto node, GraphEmitter e) =>
        Bound(node, 2) is { } max ? e.Op("Less", node.Input[0], max) : e.Op("Equal", node.Input[0], node.Input[0]);

    protected override string Derivative(NodeProto node, GraphEmitter e)
    {
        var inside = InsideUpper(node, e);
        if (Bound(node, 1) is { } min) inside = e.Op("And", inside, e.Op("Greater", node.Input[0], min));
        return e.CastToFloat(inside);
    }

    protected override string RectifySignal(NodeProto node, string dY, BackwardContext ctx)
    {
        var shape = ctx.Shape(node.Output[0]);
        if (Bound(node, 1) == null) return ctx.MulByForward(dY, shape, Derivative(node, ctx.E), shape);
        var rectified = ctx.E.Relu(dY);
        return Bound(node, 2) == null ? rectified
            : ctx.MulByForward(rectified, shape, ctx.E.CastToFloat(InsideUpper(node, ctx.E)), shape);
    }
}
