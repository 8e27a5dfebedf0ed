using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Elementwise;

/// <summary>Sqrt (the standard deviation of a decomposed layer norm): D = 1 / (2 Y).</summary>
public sealed class SqrtRule : LocalDerivativeRule
{
    public override string OpType => "Sqrt";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e) =>
        e.Div(e.Scalar(0.5f), node.Output[0]);
}
