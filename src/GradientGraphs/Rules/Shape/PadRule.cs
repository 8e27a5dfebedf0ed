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

    /// <summary>Begin pads of every axis, then end pads.</summary>
    private static long[] Pads(NodeProto node, ForwardFacts facts) =>
        node.Input.Count > 3 && node.Input[3] != "" ? throw new GraphException($"Pad '{node.Label()}': the axes input is not supported")
        : node.Ints("pads") ?? facts.ConstantInts(node, 1, "pads");

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        var pads = Pads(node, facts);
        int rank = pads.Length / 2;
        return AxisWork.On("pads", Enumerable.Range(0, rank).Where(i => pads[i] != 0 || pads[i + rank] != 0));
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        node.String("mode", "constant") != "constant" ? "only mode 'constant' is supported" : null;

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
