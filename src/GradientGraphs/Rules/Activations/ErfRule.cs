using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>Erf, as exporters write GELU (X/2 (1 + erf(X/sqrt 2))): D = 2/sqrt(pi) exp(-X^2).</summary>
public sealed class ErfRule : LocalDerivativeRule
{
    public override string OpType => "Erf";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e)
    {
        var x = node.Input[0];
        return e.Mul(e.Op("Exp", e.Neg(e.Mul(x, x))), e.Scalar((float)(2 / Math.Sqrt(Math.PI))));
    }
}
