using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Rules.Windows;
using Onnx;

namespace GradientGraphs.Rules.Pooling;

/// <summary>
/// AveragePool: each output spreads dY / count evenly over its window:
/// dX = ConvTranspose(dY / count, ones), one channel per group. count is the number of
/// window taps that were averaged (padding included or not, as count_include_pad says),
/// computed here for every output position.
/// </summary>
public sealed class AveragePoolRule : PoolRule
{
    public override string OpType => "AveragePool";

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        base.Refusal(node, facts)
        ?? (node.Ints("dilations") is { } d && d.Any(v => v != 1) ? "dilations other than 1 are not supported" : null);

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var e = ctx.E;
        var g = Geometry(node, ctx.Facts);
        long channels = ctx.Shape(node.Input[0])[1];
        var counts = TapCounts(g, node.Int("count_include_pad", 0) != 0);
        var scaled = e.Mul(outputGrads[0]!, e.FloatConstant(g.OutputSize, counts.Select(c => 1f / c).ToArray(), "inverse_count"));
        var ones = e.FloatConstant([channels, 1, .. g.Kernel], Enumerable.Repeat(1f, (int)(channels * Shapes.Product(g.Kernel))).ToArray(), "ones_kernel");
        var dx = e.Op("ConvTranspose", [scaled, ones], t =>
        {
            t.Set("group", channels);
            t.Set("kernel_shape", g.Kernel);
            g.SetTransposeAttributes(t);
        });
        return [dx];
    }

    /// <summary>For every output position, how many taps of its window were averaged.</summary>
    private static long[] TapCounts(WindowGeometry g, bool includePad)
    {
        long[] counts = [1];
        for (int axis = 0; axis < g.SpatialRank; axis++)
        {
            long lo = includePad ? -g.PadsBegin[axis] : 0;
            long hi = g.InputSize[axis] + (includePad ? g.PadsEnd[axis] : 0);
            var along = Enumerable.Range(0, (int)g.OutputSize[axis]).Select(o =>
            {
                long start = o * g.Strides[axis] - g.PadsBegin[axis];
                return Math.Min(start + g.Kernel[axis], hi) - Math.Max(start, lo);
            }).ToArray();
            counts = counts.SelectMany(c => along.Select(a => c * a)).ToArray();
        }
        return counts;
    }
}
