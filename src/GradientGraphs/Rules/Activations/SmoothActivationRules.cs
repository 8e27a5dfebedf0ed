using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>Sigmoid: D = Y (1 - Y).</summary>
public sealed class SigmoidRule : LocalDerivativeRule
{
    public override string OpType => "Sigmoid";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e) =>
        e.Mul(node.Output[0], e.Sub(e.Scalar(1f), node.Output[0]));
}

/// <summary>Tanh: D = 1 - Y^2.</summary>
public sealed class TanhRule : LocalDerivativeRule
{
    public override string OpType => "Tanh";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e) =>
        e.Sub(e.Scalar(1f), e.Mul(node.Output[0], node.Output[0]));
}

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

/// <summary>HardSwish = X clip(X/6 + 1/2, 0, 1): D = 0 below -3, 1 above 3, (2X + 3)/6 between.</summary>
public sealed class HardSwishRule : LocalDerivativeRule
{
    public override string OpType => "HardSwish";

    protected override string LocalDerivative(NodeProto node, GraphEmitter e)
    {
        var x = node.Input[0];
        var middle = e.Add(e.Mul(x, e.Scalar(1f / 3f)), e.Scalar(0.5f));
        var upper = e.Op("Where", e.Op("Greater", x, e.Scalar(3f)), e.Scalar(1f), middle);
        return e.Op("Where", e.Op("Less", x, e.Scalar(-3f)), e.Scalar(0f), upper);
    }
}
