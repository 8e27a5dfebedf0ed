using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// The rectifiers, whose backward depends on the chosen <see cref="BackwardRule"/>:
/// gradient: dY * D; deconvnet: R(dY); guided: R(dY) * D,
/// where D is the op's derivative at the forward input and R is the rectifier applied to the
/// backward signal (METHOD.md section 4).
/// </summary>
public abstract class RectifierRule : UnaryRule
{
    /// <summary>D: dY/dX on the forward tensors, [N, ...].</summary>
    protected abstract string Derivative(NodeProto node, GraphEmitter e);

    /// <summary>R: the rectifier applied to the backward signal (folded), for deconvnet and guided.</summary>
    protected abstract string RectifySignal(NodeProto node, string dY, BackwardContext ctx);

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var shape = ctx.Shape(node.Output[0]);
        var signal = ctx.Rule == BackwardRule.Gradient ? dY : RectifySignal(node, dY, ctx);
        return ctx.Rule == BackwardRule.DeconvNet
            ? signal
            : ctx.MulByForward(signal, shape, Derivative(node, ctx.E), shape);
    }
}
