using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Rules.Windows;
using Onnx;

namespace GradientGraphs.Rules.Linear;

/// <summary>
/// Conv: dX = ConvTranspose(dY, W) with the same strides, pads, dilations and groups
/// (the transposed convolution of Simonyan, Vedaldi &amp; Zisserman 2014, "Deep Inside
/// Convolutional Networks", Sect. 4). Weights and bias get no gradient.
/// With stride 1 and constant weights the same map is a plain Conv with the kernel flipped and its
/// channel axes swapped per group, which ONNX Runtime runs several times faster than ConvTranspose
/// (much more so for depthwise convolutions). Strided convolutions keep ConvTranspose: spreading dY
/// with zeros first, or convolving per output phase and interleaving, measured no faster
/// (docs/speed.md, "Measured and dropped").
/// </summary>
public sealed class ConvRule : OpRule
{
    public override string OpType => "Conv";
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    private static WindowGeometry Geometry(NodeProto node, ForwardFacts facts)
    {
        var w = facts.Shape(node.Input[1]);
        return WindowGeometry.Resolve(node, facts.Shape(node.Input[0]), node.Ints("kernel_shape") ?? w[2..]);
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        return [[x[0], facts.Shape(node.Input[1])[0], .. Geometry(node, facts).OutputSize]];
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        Shapes.HasBatch(facts.Shape(node.Input[1])) ? "weights computed from the image are not supported" : null;

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var geometry = Geometry(node, ctx.Facts);
        long groups = node.Int("group", 1);
        var dx = FlippedConv(node, geometry, outputGrads[0]!, groups, ctx) ?? ctx.E.Op("ConvTranspose", [outputGrads[0]!, node.Input[1]], t =>
        {
            t.Set("group", groups);
            t.Set("kernel_shape", geometry.Kernel);
            geometry.SetTransposeAttributes(t);
        });
        var result = new string?[node.Input.Count];
        result[0] = dx;
        return result;
    }

    /// <summary>
    /// For stride 1: dX = Conv(dY, W'), W'[c, m] = W[m, c] flipped in every spatial axis (within each
    /// group), dilations as forward, pads (k - 1) d - p_begin before and X - Ho + p_begin after.
    /// Null where that does not apply.
    /// </summary>
    private static string? FlippedConv(NodeProto node, WindowGeometry g, string dY, long groups, BackwardContext ctx)
    {
        if (ctx.Facts.Constant(node.Input[1]) is not { } weights) return null;
        if (g.Strides.Any(s => s != 1)) return null;
        var r = Enumerable.Range(0, g.SpatialRank).ToArray();
        long[] padsBegin = r.Select(i => g.Extent(i) - 1 - g.PadsBegin[i]).ToArray();
        long[] padsEnd = r.Select(i => g.InputSize[i] - g.OutputSize[i] + g.PadsBegin[i]).ToArray();
        if (padsBegin.Concat(padsEnd).Any(p => p < 0)) return null;

        var w = Tensors.ToFloats(weights);
        var dims = weights.Dims.ToArray();
        long outChannels = dims[0], inPerGroup = dims[1], taps = Shapes.Product(dims[2..]);
        long outPerGroup = outChannels / groups;
        var flipped = new float[w.Length];
        for (long m = 0; m < outChannels; m++)
        for (long c = 0; c < inPerGroup; c++)
        {
            long group = m / outPerGroup, mInGroup = m % outPerGroup;
            // Row of W' is input channel (group, c); its column is the output channel within the group.
            long row = group * inPerGroup + c;
            for (long t = 0; t < taps; t++)
                flipped[(row * outPerGroup + mInGroup) * taps + (taps - 1 - t)] = w[(m * inPerGroup + c) * taps + t];
        }
        var transposed = ctx.E.FloatConstant([groups * inPerGroup, outPerGroup, .. dims[2..]], flipped, "flipped_weights");
        return ctx.E.Op("Conv", [dY, transposed], n =>
        {
            n.Set("group", groups);
            n.Set("kernel_shape", g.Kernel);
            n.Set("dilations", g.Dilations);
            n.Set("pads", [.. padsBegin, .. padsEnd]);
        });
    }
}
