using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Concat along a non-batch axis: dX_i = the slice of dY that input i filled (Split).</summary>
public sealed class ConcatRule : OpRule
{
    public override string OpType => "Concat";

    public override DifferentiableInputs Differentiable => DifferentiableInputs.Every;
    protected override long DefaultAxis => 1;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("concatenates along", Axis(node, facts.Shape(node.Input[0]).Length));

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var first = (long[])facts.Shape(node.Input[0]).Clone();
        int axis = Axis(node, first.Length);
        first[axis] = node.Input.Sum(i => facts.Shape(i)[axis]);
        return [first];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        int axis = Axis(node, ctx.Shape(node.Input[0]).Length);
        var sizes = node.Input.Select(i => ctx.Shape(i)[axis]).ToArray();
        return ctx.E.Node("Split", [outputGrads[0]!, ctx.E.Int64s(sizes)], sizes.Length, n => n.Set("axis", (long)axis));
    }
}
