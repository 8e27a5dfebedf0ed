using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

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
