using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Slice with step 1 on non-batch axes: dX = dY padded with zeros back to the input's extent.</summary>
public sealed class SliceRule : UnaryRule
{
    public override string OpType => "Slice";

    /// <summary>Begin and end of the kept range on every axis, clamped as ONNX clamps them.</summary>
    private static (long[] Begin, long[] End) Ranges(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var starts = facts.ConstantInts(node, 1, "starts");
        var ends = facts.ConstantInts(node, 2, "ends");
        var axes = node.Input.Count > 3 && node.Input[3] != "" ? facts.ConstantInts(node, 3, "axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = node.Input.Count > 4 && node.Input[4] != "" ? facts.ConstantInts(node, 4, "steps") : null;
        if (steps != null && steps.Any(s => s != 1)) throw new GraphException($"Slice '{node.Label()}' has steps other than 1");
        var begin = new long[x.Length];
        var end = x.ToArray();
        for (int i = 0; i < axes.Length; i++)
        {
            int a = (int)(axes[i] < 0 ? axes[i] + x.Length : axes[i]);
            if (a == 0) throw new GraphException($"Slice '{node.Label()}' slices the batch axis");
            long Clamp(long v) => Math.Clamp(v < 0 ? v + x[a] : v, 0, x[a]);
            begin[a] = Clamp(starts[i]);
            end[a] = Math.Max(begin[a], Clamp(ends[i]));
        }
        return (begin, end);
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts)
    {
        try { Ranges(node, facts); return null; }
        catch (GraphException e) { return e.Message; }
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var (begin, end) = Ranges(node, facts);
        return [end.Select((e, i) => i == 0 ? Shapes.Batch : e - begin[i]).ToArray()];
    }

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var x = ctx.Shape(node.Input[0]);
        var (begin, end) = Ranges(node, ctx.Facts);
        long[] pads = [.. begin, .. end.Select((e, i) => i == 0 ? 0 : x[i] - e)];
        return ctx.E.Op("Pad", dY, ctx.E.Int64s(pads));
    }
}
