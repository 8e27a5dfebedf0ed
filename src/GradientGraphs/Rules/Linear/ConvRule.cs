using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Rules.Pooling;
using Onnx;

namespace GradientGraphs.Rules.Linear;

/// <summary>
/// Conv: dX = ConvTranspose(dY, W) with the same strides, pads, dilations and groups
/// (the transposed convolution of METHOD.md section 4). Weights and bias get no gradient.
/// </summary>
public sealed class ConvRule : OpRule
{
    public override string OpType => "Conv";

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
        var dx = ctx.E.Op("ConvTranspose", [outputGrads[0]!, node.Input[1]], t =>
        {
            t.Set("group", node.Int("group", 1));
            t.Set("kernel_shape", geometry.Kernel);
            geometry.SetTransposeAttributes(t);
        });
        var result = new string?[node.Input.Count];
        result[0] = dx;
        return result;
    }
}
