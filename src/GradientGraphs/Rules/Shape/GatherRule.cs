using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>
/// Gather along a non-batch axis with constant indices (a vision transformer's class token,
/// x[:, 0]). Gathering is a product with a 0/1 matrix P [m, D] (row j picks index j of the D
/// entries along the axis), so dX = P^T dY along that axis: repeated indices add up.
/// </summary>
public sealed class GatherRule : OpRule
{
    public override string OpType => "Gather";

    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("gathers along", Axis(node, facts.Shape(node.Input[0]).Length));

    /// <summary>The indices, made non-negative; throws for one outside the axis.</summary>
    private static long[] Indices(NodeProto node, ForwardFacts facts, long length) =>
        facts.ConstantInts(node, 1, "indices").Select(i => i < -length || i >= length
            ? throw new GraphException($"Gather '{node.Label()}': index {i} is outside an axis of length {length}")
            : i < 0 ? i + length : i).ToArray();

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var indexDims = facts.Shape(node.Input[1]);
        if (!Shapes.HasBatch(x)) throw new GraphException($"Gather '{node.Label()}': only data with the batch in front is supported");
        int axis = Axis(node, x.Length);
        Indices(node, facts, x[axis]);
        return [[.. x[..axis], .. indexDims, .. x[(axis + 1)..]]];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var x = ctx.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        long length = x[axis];
        var indices = Indices(node, ctx.Facts, length);
        long after = Shapes.Product(x[(axis + 1)..]);
        // P^T [D, m]: column j has its one at row indices[j].
        var pickedT = new float[length * indices.Length];
        for (int j = 0; j < indices.Length; j++) pickedT[indices[j] * indices.Length + j] = 1f;
        var scatter = ctx.E.FloatConstant([length, indices.Length], pickedT, "gather_scatter");
        // dY as [N*K*before, m, after]; P^T [D, m] times each [m, after] block gives [D, after].
        var blocks = ctx.E.Reshape(outputGrads[0]!, [-1, indices.Length, after]);
        var result = new string?[node.Input.Count];
        result[0] = ctx.E.Reshape(ctx.E.Op("MatMul", scatter, blocks), [-1, .. x[1..]]);
        return result;
    }
}
