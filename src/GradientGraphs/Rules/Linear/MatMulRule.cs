using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Linear;

/// <summary>
/// MatMul with a constant right factor B (a 2-D weight matrix): dA = dY B^T. Or the product of
/// two activations of the same rank with the batch in front and the same leading dimensions
/// (a transformer's attention, Q K^T and A V): dA = dY B^T, dB = A^T dY, per image and class.
/// </summary>
public sealed class MatMulRule : OpRule
{
    public override string OpType => "MatMul";
    public override DifferentiableInputs Differentiable => DifferentiableInputs.Every;

    private static bool OfTwoActivations(long[] a, long[] b) => Shapes.HasBatch(a) && Shapes.HasBatch(b);

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var a = facts.Shape(node.Input[0]);
        var b = facts.Shape(node.Input[1]);
        if (OfTwoActivations(a, b))
        {
            if (a.Length < 3 || a.Length != b.Length || !a[..^2].SequenceEqual(b[..^2]) || a[^1] != b[^2])
                throw new GraphException($"MatMul '{node.Label()}': a product of two activations needs the same rank (3 or more) and leading dimensions, and matching inner ones (it is {Shapes.Show(a)} x {Shapes.Show(b)})");
            return [[.. a[..^1], b[^1]]];
        }
        if (b.Length != 2) throw new GraphException($"MatMul '{node.Label()}': only a 2-D right factor is supported");
        return [[.. a[..^1], b[1]]];
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts)
    {
        var a = facts.Shape(node.Input[0]);
        var b = facts.Shape(node.Input[1]);
        return OfTwoActivations(a, b) || b.Length == 2 && !Shapes.HasBatch(b) && Shapes.HasBatch(a)
            ? null : "only a right factor that is a 2-D weight matrix, or two activations, are supported";
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var a = ctx.Shape(node.Input[0]);
        var b = ctx.Shape(node.Input[1]);
        if (!OfTwoActivations(a, b))
            return [ctx.E.Op("MatMul", outputGrads[0]!, ctx.E.Transpose(node.Input[1], [1, 0])), null];
        // Per class: dY [N, K, ..., M, P] against the forward factors viewed as [N, 1, ...].
        long[] swapLast = [.. Enumerable.Range(0, a.Length - 2).Select(i => (long)i), a.Length - 1, a.Length - 2];
        var perClass = ctx.Unfold(outputGrads[0]!, Shapes.Rest(ctx.Shape(node.Output[0])));
        return
        [
            needed[0] ? ctx.Fold(ctx.E.Op("MatMul", perClass, ctx.ForClasses(ctx.E.Transpose(node.Input[1], swapLast))), Shapes.Rest(a)) : null,
            needed[1] ? ctx.Fold(ctx.E.Op("MatMul", ctx.ForClasses(ctx.E.Transpose(node.Input[0], swapLast)), perClass), Shapes.Rest(b)) : null,
        ];
    }
}
