using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Windows;

/// <summary>
/// The sliding-window attributes shared by Conv, MaxPool and AveragePool, resolved to explicit
/// numbers for one input shape: auto_pad becomes explicit pads, ceil_mode becomes an output size.
/// </summary>
public sealed class WindowGeometry
{
    public required long[] Kernel { get; init; }
    public required long[] Strides { get; init; }
    public required long[] Dilations { get; init; }
    public required long[] PadsBegin { get; init; }
    public required long[] PadsEnd { get; init; }
    public required long[] InputSize { get; init; }
    public required long[] OutputSize { get; init; }

    public int SpatialRank => Kernel.Length;

    /// <summary>Extent of one window: (k - 1) d + 1.</summary>
    public long Extent(int axis) => (Kernel[axis] - 1) * Dilations[axis] + 1;

    public static WindowGeometry Resolve(NodeProto node, long[] inputShape, long[] kernel)
    {
        int r = kernel.Length;
        if (inputShape.Length != r + 2)
            throw new GraphException($"{node.OpType} '{node.Label()}' has input rank {inputShape.Length} but a {r}-D kernel");
        var strides = node.Ints("strides") ?? Enumerable.Repeat(1L, r).ToArray();
        var dilations = node.Ints("dilations") ?? Enumerable.Repeat(1L, r).ToArray();
        var pads = node.Ints("pads") ?? new long[2 * r];
        bool ceil = node.Int("ceil_mode", 0) != 0;
        var autoPad = node.String("auto_pad", "NOTSET");
        var input = inputShape[2..];
        var begin = new long[r];
        var end = new long[r];
        var output = new long[r];
        for (int i = 0; i < r; i++)
        {
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    output[i] = (input[i] + strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (output[i] - 1) * strides[i] + extent - input[i]);
                    long small = total / 2, large = total - small;
                    (begin[i], end[i]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
                    break;
                case "VALID" or "NOTSET":
                    if (autoPad == "NOTSET") { begin[i] = pads[i]; end[i] = pads[i + r]; }
                    long span = input[i] + begin[i] + end[i] - extent;
                    if (span < 0) throw new GraphException($"{node.OpType} '{node.Label()}': window larger than its padded input");
                    output[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
                    // A window may not start in the end padding (the rule PyTorch and ONNX Runtime follow).
                    if (ceil && (output[i] - 1) * strides[i] >= input[i] + begin[i]) output[i]--;
                    break;
                default:
                    throw new GraphException($"{node.OpType} '{node.Label()}' has unknown auto_pad '{autoPad}'");
            }
        }
        return new WindowGeometry
        {
            Kernel = kernel, Strides = strides, Dilations = dilations,
            PadsBegin = begin, PadsEnd = end, InputSize = input, OutputSize = output,
        };
    }

    /// <summary>
    /// Attributes for the ConvTranspose that maps an output-sized gradient back onto exactly the
    /// input size: pads as forward, plus output_padding for the rows the forward window skipped,
    /// or extra end padding to crop where ceil_mode made windows overhang.
    /// </summary>
    public void SetTransposeAttributes(NodeProto transpose)
    {
        var endPads = (long[])PadsEnd.Clone();
        var outputPadding = new long[SpatialRank];
        for (int i = 0; i < SpatialRank; i++)
        {
            long produced = Strides[i] * (OutputSize[i] - 1) + Extent(i) - PadsBegin[i] - PadsEnd[i];
            long missing = InputSize[i] - produced;
            if (missing >= 0) outputPadding[i] = missing; else endPads[i] -= missing;
        }
        transpose.Set("strides", Strides);
        transpose.Set("dilations", Dilations);
        transpose.Set("pads", [.. PadsBegin, .. endPads]);
        transpose.Set("output_padding", outputPadding);
    }
}
