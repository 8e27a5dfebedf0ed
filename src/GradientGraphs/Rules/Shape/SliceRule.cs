using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Slice with step 1 on non-batch axes: dX = dY padded with zeros back to the input's extent.</summary>
public sealed class SliceRule : UnaryRule
{
    public override string OpType => "Slice";

    private static long[] SlicedAxes(NodeProto node, ForwardFacts facts) =>
        facts.OptionalConstantInts(node, 3, "axes") ?? Enumerable.Range(0, facts.ConstantInts(node, 1, "starts").Length).Select(i => (long)i).ToArray();

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("slices", SlicedAxes(node, facts).Select(a => Shapes.Axis(a, facts.Shape(node.Input[0]).Length)));

    /// <summary>Begin and end of the kept range on every axis, clamped as ONNX clamps them.</summary>
    private static (long[] Begin, long[] End) Ranges(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var starts = facts.ConstantInts(node, 1, "starts");
        var ends = facts.ConstantInts(node, 2, "ends");
        var axes = SlicedAxes(node, facts);
        var steps = facts.OptionalConstantInts(node, 4, "steps");
        if (steps != null && steps.Any(s => s != 1)) throw new GraphException($"Slice '{node.Label()}' has steps other than 1");
        var begin = new long[x.Length];
        var end = x.ToArray();
        for (int i = 0; i < axes.Length; i++)
        {
            int a = Shapes.Axis(axes[i], x.Length);
            begin[a] = Shapes.Bound(starts[i], x[a]);
            end[a] = Math.Max(begin[a], Shapes.Bound(ends[i], x[a]));
        }
        return (begin, end);
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var (begin, end) = Ranges(node, facts);
        var x = facts.Shape(node.Input[0]);
        return [end.Select((e, i) => i == 0 ? x[0] : e - begin[i]).ToArray()];
    }

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var x = ctx.Shape(node.Input[0]);
        var (begin, end) = Ranges(node, ctx.Facts);
        long[] pads = [.. begin, .. end.Select((e, i) => i == 0 ? 0 : x[i] - e)];
        return ctx.E.Op("Pad", dY, ctx.E.Int64s(pads));
    }
}
