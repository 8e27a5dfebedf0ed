using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Linear;

/// <summary>
/// Gemm, Y = alpha A' B' + beta C with A' = transA ? A^T : A and B' likewise:
/// the image path runs through A, so dA' = alpha dY B'^T, transposed back where transA is set.
/// </summary>
public sealed class GemmRule : OpRule
{
    public override string OpType => "Gemm";
    public override DifferentiableInputs Differentiable => DifferentiableInputs.Only(0, 2);

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On("transA=1 sums over", node.Int("transA", 0) != 0 ? [0] : []);

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var a = facts.Shape(node.Input[0]);
        var b = facts.Shape(node.Input[1]);
        long rows = node.Int("transA", 0) != 0 ? a[1] : a[0];
        long cols = node.Int("transB", 0) != 0 ? b[0] : b[1];
        return [[rows, cols]];
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        Shapes.HasBatch(facts.Shape(node.Input[1])) ? "both factors depend on the image"
        : null;

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        bool transB = node.Int("transB", 0) != 0;
        var dA = ctx.E.Op("Gemm", [outputGrads[0]!, node.Input[1]], n =>
        {
            n.Set("alpha", node.Float("alpha", 1f));
            n.Set("transB", transB ? 0L : 1L);
        });
        var result = new string?[node.Input.Count];
        result[0] = dA;
        if (node.Input.Count > 2 && needed[2])
            result[2] = ctx.SumToShape(ctx.E.Mul(outputGrads[0]!, ctx.E.Scalar(node.Float("beta", 1f))), ctx.Shape(node.Output[0]), ctx.Shape(node.Input[2]));
        return result;
    }
}
