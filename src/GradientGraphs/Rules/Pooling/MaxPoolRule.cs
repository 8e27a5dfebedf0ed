using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Pooling;

/// <summary>
/// MaxPool: the gradient goes to the arg-max of each window (the "switches"). The forward node
/// also returns its arg-max indices; the backward scatters dY onto them, adding where
/// overlapping windows share a maximum (ScatterElements, reduction "add").
/// </summary>
public sealed class MaxPoolRule : PoolRule
{
    public override string OpType => "MaxPool";

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var e = ctx.E;
        var geometry = Geometry(node, ctx.Facts);
        long channels = ctx.Shape(node.Input[0])[1];
        long inPlane = Shapes.Product(geometry.InputSize), outPlane = Shapes.Product(geometry.OutputSize);

        // Indices count over the whole flattened tensor, row-major; keep the offset within one plane.
        var indices = PlaneIndices(node, e);
        var planeIndices = e.Op("Mod", indices, e.Int64s(inPlane));
        var perClass = e.Op("Expand", e.Reshape(planeIndices, -1, 1, channels, outPlane),
            e.Concat(0, e.Int64s(1), ctx.ClassesPerImage, e.Int64s(1, 1)));
        var rows = e.Reshape(perClass, -1, outPlane);

        var zeros = e.Reshape(ctx.Zeros([channels, inPlane]), -1, inPlane);
        var scattered = e.Op("ScatterElements", [zeros, rows, e.Reshape(outputGrads[0]!, -1, outPlane)], n =>
        {
            n.Set("axis", 1L);
            n.Set("reduction", "add");
        });
        return [e.Reshape(scattered, [-1, channels, .. geometry.InputSize])];
    }

    /// <summary>The forward node's arg-max output, added to it when it has none (the values do not change).</summary>
    private static string PlaneIndices(NodeProto node, GraphEmitter e)
    {
        if (node.Output.Count > 1 && node.Int("storage_order", 0) == 0) return node.Output[1];
        if (node.Output.Count == 1)
        {
            node.Output.Add(e.FreshName("maxpool_indices"));
            return node.Output[1];
        }
        // Column-major indices are in use by the model: pool again for row-major ones.
        var twin = e.Node("MaxPool", [node.Input[0]], 2, n =>
        {
            n.Attribute.AddRange(node.Attribute.Select(a => a.Clone()));
            n.Set("storage_order", 0L);
        });
        return twin[1];
    }
}
