using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// An elementwise op whose derivative is a local factor computed once on the forward tensors:
/// dX = dY * D(X, Y). Sigmoid, Tanh, HardSigmoid and HardSwish are written this way.
/// </summary>
public abstract class LocalDerivativeRule : UnaryRule
{
    protected abstract string LocalDerivative(NodeProto node, GraphEmitter e);

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx) =>
        ctx.MulByForward(dY, ctx.Shape(node.Output[0]), LocalDerivative(node, ctx.E), ctx.Shape(node.Input[0]));
}
