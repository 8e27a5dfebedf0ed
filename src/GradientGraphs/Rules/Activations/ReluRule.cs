using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>Relu: D = [X &gt; 0] = Sign(Y) in one op; R(dY) = max(dY, 0).</summary>
public sealed class ReluRule : RectifierRule
{
    public override string OpType => "Relu";

    protected override string Derivative(NodeProto node, GraphEmitter e) => e.Op("Sign", node.Output[0]);

    protected override string RectifySignal(NodeProto node, string dY, BackwardContext ctx) => ctx.E.Relu(dY);
}
