using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// The rectifiers, whose backward depends on the chosen <see cref="AttributionMethod"/>:
/// gradient: dY * D; deconvnet: R(dY); guided: R(dY) * D,
/// where D is the op's derivative at the forward input and R is the rectifier applied to the
/// backward signal (Simonyan, Vedaldi &amp; Zisserman 2014, "Deep Inside Convolutional Networks", Sect. 4). D is computed once on the forward tensors, in as few
/// passes over them as possible: applying it costs one Mul per rectifier.
/// </summary>
public abstract class RectifierRule : UnaryRule
{
    /// <summary>D: dY/dX on the forward tensors, float [N, ...].</summary>
    protected abstract string Derivative(NodeProto node, GraphEmitter e);

    /// <summary>R: the rectifier applied to the backward signal (folded), for deconvnet and guided.</summary>
    protected abstract string RectifySignal(NodeProto node, string dY, BackwardContext ctx);

    /// <summary>Whether this node rectifies at all (a Clip without a lower bound does not: it takes the gradient).</summary>
    protected virtual bool Rectifies(NodeProto node) => true;

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        if (!Rectifies(node)) return MulByMask(node, dY, Derivative(node, ctx.E), ctx);
        var signal = ctx.Method == AttributionMethod.Gradient ? dY : RectifySignal(node, dY, ctx);
        return ctx.Method == AttributionMethod.DeconvNet ? signal : MulByMask(node, signal, Derivative(node, ctx.E), ctx);
    }

    /// <summary>signal times a float tensor of the forward op's shape (a mask or a derivative).</summary>
    protected static string MulByMask(NodeProto node, string signal, string mask, BackwardContext ctx)
    {
        var shape = ctx.Shape(node.Output[0]);
        return ctx.MulByForward(signal, shape, mask, shape);
    }
}
