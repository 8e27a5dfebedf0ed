using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>
/// Ops that only change how the same elements are indexed: the backward reshapes dY to the
/// input's shape. The batch dimension must stay in front and whole.
/// </summary>
public abstract class ReshapeLikeRule : UnaryRule
{
    protected override string Backward(NodeProto node, string dY, BackwardContext ctx) =>
        ctx.E.Reshape(dY, [-1, .. Shapes.Rest(ctx.Shape(node.Input[0]))]);

    protected static GraphException BatchMoved(NodeProto node) =>
        new($"{node.OpType} '{node.Label()}' does not keep the batch dimension in front");
}

/// <summary>Identity, and Dropout at inference (which passes its input through).</summary>
public sealed class IdentityRule(string opType) : ReshapeLikeRule
{
    public override string OpType => opType;

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts) =>
        node.Output.Select(_ => facts.Shape(node.Input[0])).ToArray();

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        opType == "Dropout" && node.Input.Count > 2 && node.Input[2] != "" &&
        (facts.Constant(node.Input[2]) is not { } training || Tensors.ToLongs(training)[0] != 0)
            ? "Dropout in training mode is random" : null;

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx) => dY;
}

/// <summary>Flatten(axis): the batch stays, everything from axis on becomes one dimension.</summary>
public sealed class FlattenRule : ReshapeLikeRule
{
    public override string OpType => "Flatten";

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += x.Length;
        if (axis == 0 || Shapes.Product(x[1..(int)axis]) != 1) throw BatchMoved(node);
        return [[x[0], Shapes.Product(x[(int)axis..])]];
    }
}

/// <summary>
/// Reshape with a constant target shape. A source model that fixed its batch writes that batch
/// size into the target; it is rewritten to 0 ("copy the input's dimension") so any batch runs.
/// </summary>
public sealed class ReshapeRule : ReshapeLikeRule
{
    public override string OpType => "Reshape";

    public override void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e)
    {
        var target = facts.ConstantInts(node, 1, "shape");
        if (target.Length == 0 || target[0] == 0 || target[0] == -1 || target[0] != facts.SourceBatch) return;
        if (!Shapes.HasBatch(facts.Shape(node.Input[0]))) return;
        target[0] = 0;
        node.Input[1] = e.Int64s(target);
        facts.SetConstant(node.Input[1], Tensors.Int64Tensor(node.Input[1], [target.Length], target));
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var target = facts.ConstantInts(node, 1, "shape");
        if (!Shapes.HasBatch(x) || target.Skip(1).Contains(ShapeArithmetic.SymbolicBatch)) throw BatchMoved(node);
        long elements = Shapes.Product(x[1..]);
        var result = target.Select((t, i) => t == 0 ? x[i] : t == ShapeArithmetic.SymbolicBatch ? Shapes.Batch : t).ToArray();
        if (result[0] == -1 && result.Skip(1).All(d => d > 0) && Shapes.Product(result[1..]) == elements)
            result[0] = Shapes.Batch;
        if (result[0] != Shapes.Batch) throw BatchMoved(node);
        int unknown = Array.IndexOf(result, -1L, 1);
        if (unknown > 0) result[unknown] = elements / Shapes.Product(result[1..].Where(d => d != -1));
        if (Shapes.Product(result[1..]) != elements) throw new GraphException($"Reshape '{node.Label()}' changes the number of elements per image");
        return [result];
    }
}

/// <summary>Squeeze and Unsqueeze on non-batch axes (from the attribute, or the second input from opset 13).</summary>
public sealed class SqueezeRule(string opType) : ReshapeLikeRule
{
    public override string OpType => opType;
    private bool Unsqueeze => opType == "Unsqueeze";

    private static long[]? Axes(NodeProto node, ForwardFacts facts) =>
        node.Ints("axes") ?? (node.Input.Count > 1 && node.Input[1] != "" ? facts.ConstantInts(node, 1, "axes") : null);

    /// <summary>Squeeze without axes would drop a batch of 1: name the non-batch axes of size 1 instead.</summary>
    public override void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e)
    {
        if (Unsqueeze || Axes(node, facts) != null) return;
        var x = facts.Shape(node.Input[0]);
        var axes = Enumerable.Range(1, x.Length - 1).Where(i => x[i] == 1).Select(i => (long)i).ToArray();
        while (node.Input.Count < 2) node.Input.Add("");
        node.Input[1] = e.Int64s(axes);
        facts.SetConstant(node.Input[1], Tensors.Int64Tensor(node.Input[1], [axes.Length], axes));
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var axes = Axes(node, facts) ?? [];
        int outRank = Unsqueeze ? x.Length + axes.Length : x.Length;
        var normalized = axes.Select(a => a < 0 ? a + outRank : a).ToHashSet();
        if (normalized.Contains(0)) throw BatchMoved(node);
        if (!Unsqueeze) return [x.Where((_, i) => !normalized.Contains(i)).ToArray()];
        var rest = new Queue<long>(x);
        return [Enumerable.Range(0, outRank).Select(i => normalized.Contains(i) ? 1L : rest.Dequeue()).ToArray()];
    }
}

/// <summary>Transpose that keeps the batch axis first: dX = Transpose(dY, inverse permutation).</summary>
public sealed class TransposeRule : UnaryRule
{
    public override string OpType => "Transpose";

    private static long[] Perm(NodeProto node, ForwardFacts facts) =>
        node.Ints("perm") ?? Enumerable.Range(0, facts.Shape(node.Input[0]).Length).Reverse().Select(i => (long)i).ToArray();

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        Perm(node, facts)[0] != 0 ? "moves the batch axis" : null;

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
