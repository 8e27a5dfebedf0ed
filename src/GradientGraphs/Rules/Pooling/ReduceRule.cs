using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Pooling;

/// <summary>
/// ReduceMean and ReduceSum over non-batch axes: dX = dY spread back over the reduced axes,
/// divided by their size for the mean. Axes come from the attribute (before opset 18 for mean)
/// or the second input.
/// </summary>
public sealed class ReduceRule(string opType, bool mean) : OpRule
{
    public override string OpType => opType;
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) => AxisWork.On("reduces", Axes(node, facts).Select(a => (int)a));

    /// <summary>The reduced axes, ascending; no axes reduce every axis, the batch included.</summary>
    private static long[] Axes(NodeProto node, ForwardFacts facts)
    {
        int rank = facts.Shape(node.Input[0]).Length;
        var axes = node.Ints("axes") ?? facts.OptionalConstantInts(node, 1, "axes");
        if (axes == null || axes.Length == 0) return Enumerable.Range(0, rank).Select(a => (long)a).ToArray();
        return axes.Select(a => (long)Shapes.Axis(a, rank)).Order().ToArray();
    }

    private static long[] KeptShape(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var axes = Axes(node, facts);
        return x.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var kept = KeptShape(node, facts);
        var axes = Axes(node, facts);
        return node.Int("keepdims", 1) != 0 ? [kept] : [kept.Where((_, i) => !axes.Contains(i)).ToArray()];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var e = ctx.E;
        var x = ctx.Shape(node.Input[0]);
        var dy = e.Reshape(outputGrads[0]!, [-1, .. KeptShape(node, ctx.Facts)[1..]]);
        if (mean)
        {
            long count = Axes(node, ctx.Facts).Select(a => x[a]).Aggregate(1L, (p, d) => p * d);
            dy = e.Mul(dy, e.Scalar(1f / count));
        }
        var dx = e.Op("Expand", dy, e.Int64s([1, .. x[1..]]));
        var result = new string?[node.Input.Count];
        result[0] = dx;
        return result;
    }
}
