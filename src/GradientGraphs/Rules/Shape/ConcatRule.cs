using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Concat along a non-batch axis: dX_i = the slice of dY that input i filled (Split).</summary>
public sealed class ConcatRule : OpRule
{
    public override string OpType => "Concat";

    private static int Axis(NodeProto node, int rank) => Shapes.Axis(node.Int("axis", 1), rank);

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        Axis(node, facts.Shape(node.Input[0]).Length) == 0 ? "concatenates along the batch axis" : null;

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var first = (long[])facts.Shape(node.Input[0]).Clone();
        int axis = Axis(node, first.Length);
        // Along the batch axis the sum of symbolic batches would overflow; Refusal then refuses the node.
        first[axis] = axis == 0 ? Shapes.Batch : node.Input.Sum(i => facts.Shape(i)[axis]);
        return [first];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        int axis = Axis(node, ctx.Shape(node.Input[0]).Length);
        var sizes = node.Input.Select(i => ctx.Shape(i)[axis]).ToArray();
        return ctx.E.Node("Split", [outputGrads[0]!, ctx.E.Int64s(sizes)], sizes.Length, n => n.Set("axis", (long)axis));
    }
}
