using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Transpose that keeps the batch axis first: dX = Transpose(dY, inverse permutation).</summary>
public sealed class TransposeRule : UnaryRule
{
    public override string OpType => "Transpose";

    private static long[] Perm(NodeProto node, ForwardFacts facts) =>
        node.Ints("perm") ?? Enumerable.Range(0, facts.Shape(node.Input[0]).Length).Reverse().Select(i => (long)i).ToArray();

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        var perm = Perm(node, facts);
        return AxisWork.On("moves", Enumerable.Range(0, perm.Length).Where(i => perm[i] != i));
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        return [Perm(node, facts).Select(p => x[p]).ToArray()];
    }

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var perm = Perm(node, ctx.Facts);
        var inverse = new long[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return ctx.E.Transpose(dY, inverse);
    }
}
