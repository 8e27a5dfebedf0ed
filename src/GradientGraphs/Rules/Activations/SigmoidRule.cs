using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>Sigmoid: D = Y (1 - Y).</summary>
public sealed class SigmoidRule : LocalDerivativeRule
{
    public override string OpType => "Sigmoid";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e) =>
        e.Mul(node.Output[0], e.Sub(e.Scalar(1f), node.Output[0]));
}
