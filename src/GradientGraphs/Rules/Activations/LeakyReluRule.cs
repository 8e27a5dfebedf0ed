using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// LeakyRelu(alpha): D = 1 where X &gt; 0, else alpha. The deconvnet analogue applies the same
/// LeakyRelu to the backward signal, R(dY) = LeakyRelu(dY); guided multiplies both.
/// </summary>
public sealed class LeakyReluRule : RectifierRule
{
    public override string OpType => "LeakyRelu";

    private static float Alpha(NodeProto node) => node.Float("alpha", 0.01f);

    protected override string Derivative(NodeProto node, GraphEmitter e) =>
        e.Op("Where", e.Op("Greater", node.Input[0], e.Scalar(0f)), e.Scalar(1f), e.Scalar(Alpha(node)));

    protected override string RectifySignal(NodeProto node, string dY, BackwardContext ctx) =>
        ctx.E.Op("LeakyRelu", [dY], n => n.Set("alpha", Alpha(node)));
}
