using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Linear;

/// <summary>MatMul with a constant right factor B: dA = dY B^T.</summary>
public sealed class MatMulRule : OpRule
{
    public override string OpType => "MatMul";

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var a = facts.Shape(node.Input[0]);
        var b = facts.Shape(node.Input[1]);
        if (b.Length != 2) throw new GraphException($"MatMul '{node.Label()}': only a 2-D right factor is supported");
        return [[.. a[..^1], b[1]]];
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        facts.Shape(node.Input[1]).Length != 2 || Shapes.HasBatch(facts.Shape(node.Input[1]))
            ? "only a right factor that is a 2-D weight matrix is supported" : null;

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx) =>
        [ctx.E.Op("MatMul", outputGrads[0]!, ctx.E.Transpose(node.Input[1], [1, 0])), null];
}
