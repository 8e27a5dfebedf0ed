using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>Tanh: D = 1 - Y^2.</summary>
public sealed class TanhRule : LocalDerivativeRule
{
    public override string OpType => "Tanh";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e) =>
        e.Sub(e.Scalar(1f), e.Mul(node.Output[0], node.Output[0]));
}
