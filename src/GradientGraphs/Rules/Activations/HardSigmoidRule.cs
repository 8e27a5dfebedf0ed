using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>HardSigmoid(alpha, beta) = clip(alpha X + beta, 0, 1): D = alpha [0 &lt; alpha X + beta &lt; 1].</summary>
public sealed class HardSigmoidRule : LocalDerivativeRule
{
    public override string OpType => "HardSigmoid";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e)
    {
        float alpha = node.Float("alpha", 0.2f), beta = node.Float("beta", 0.5f);
        var z = e.Add(e.Mul(node.Input[0], e.Scalar(alpha)), e.Scalar(beta));
        var inside = e.Op("And", e.Op("Greater", z, e.Scalar(0f)), e.Op("Less", z, e.Scalar(1f)));
        return e.Mul(e.CastToFloat(inside), e.Scalar(alpha));
    }
}
