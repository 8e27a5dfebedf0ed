using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Activations;

/// <summary>
/// Softmax along one non-batch axis (opset 13's meaning; older opsets are upgraded or refused),
/// inside a network such as a transformer's attention: dX = Y (dY - sum_axis(dY Y)). The Softmax
/// that ends a graph is not differentiated: the score is its input.
/// </summary>
public sealed class SoftmaxRule : UnaryRule
{
    public override string OpType => "Softmax";

    protected override long DefaultAxis => -1;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("normalises along", Axis(node, facts.Shape(node.Input[0]).Length));

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var y = ctx.Shape(node.Output[0]);
        var rest = Shapes.Rest(y);
        // Per class: [N, K, rest...] against the forward [N, 1, rest...]; the axis moves by one.
        var perClass = ctx.Unfold(dY, rest);
        var probabilities = ctx.ForClasses(node.Output[0]);
        var weighted = ctx.E.ReduceSum(ctx.E.Mul(perClass, probabilities), [Axis(node, y.Length) + 1]);
        return ctx.Fold(ctx.E.Mul(probabilities, ctx.E.Sub(perClass, weighted)), rest);
    }
}
