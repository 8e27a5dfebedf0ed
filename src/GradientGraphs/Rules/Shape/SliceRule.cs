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

/// <summary>
/// Pad in constant mode on non-batch axes: dX = the part of dY that holds the input
/// (negative pads crop in the forward, so the backward pads those back with zeros).
/// </summary>
public sealed class PadRule : UnaryRule
{
    public override string OpType => "Pad";

    private static long[] Pads(NodeProto node, ForwardFacts facts) => node.Ints("pads") ?? facts.ConstantInts(node, 1, "pads");

    public override string? Refusal(NodeProto node, ForwardFacts facts)
    {
        if (node.String("mode", "constant") != "constant") return "only mode 'constant' is supported";
        if (node.Input.Count > 3 && node.Input[3] != "") return "the axes input is not supported";
        try
        {
            var pads = Pads(node, facts);
            return pads[0] != 0 || pads[pads.Length / 2] != 0 ? "pads the batch axis" : null;
        }
        catch (GraphException e) { return e.Message; }
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var pads = Pads(node, facts);
        return [x.Select((d, i) => i == 0 ? d : d + pads[i] + pads[i + x.Length]).ToArray()];
    }

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var e = ctx.E;
        var x = ctx.Shape(node.Input[0]);
        var y = ctx.Shape(node.Output[0]);
        var pads = Pads(node, ctx.Facts);
        int r = x.Length;
        // Positive pads added rows: slice them off. Negative pads removed rows: pad them back.
        var axes = Enumerable.Range(1, r - 1).Select(i => (long)i).ToArray();
        var starts = axes.Select(i => Math.Max(0, pads[i])).ToArray();
        var ends = axes.Select(i => y[i] - Math.Max(0, pads[i + r])).ToArray();
        var cropped = e.Op("Slice", dY, e.Int64s(starts), e.Int64s(ends), e.Int64s(axes));
        var restore = Enumerable.Range(0, 2 * r).Select(i => Math.Max(0, -pads[i])).ToArray();
        return restore.All(p => p == 0) ? cropped : e.Op("Pad", cropped, e.Int64s(restore));
    }
}
