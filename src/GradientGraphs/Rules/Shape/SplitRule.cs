using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Split along a non-batch axis: dX = Concat of the outputs' gradients (zeros where none).</summary>
public sealed class SplitRule : OpRule
{
    public override string OpType => "Split";

    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("splits along", Axis(node, facts.Shape(node.Input[0]).Length));

    private long[] Sizes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        if (node.Ints("split") is { } fromAttribute) return fromAttribute;
        if (facts.OptionalConstantInts(node, 1, "split") is { } fromInput) return fromInput;
        int parts = node.Output.Count;
        long each = (x[axis] + parts - 1) / parts;
        return Enumerable.Range(0, parts).Select(i => Math.Min(each, x[axis] - i * each)).ToArray();
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        return Sizes(node, facts).Select(s => { var y = (long[])x.Clone(); y[axis] = s; return y; }).ToArray();
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        int axis = Axis(node, ctx.Shape(node.Input[0]).Length);
        var parts = outputGrads.Select((g, i) => g ?? ctx.Zeros(Shapes.Rest(ctx.Shape(node.Output[i])))).ToArray();
        var result = new string?[node.Input.Count];
        result[0] = ctx.E.Concat(axis, parts);
        return result;
    }
}
