using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

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
        var pads = Pads(node, facts);
        return pads[0] != 0 || pads[pads.Length / 2] != 0 ? "pads the batch axis" : null;
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
