using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>
/// Reshape with a constant target shape. A source model that fixed its batch writes that batch
/// size into the target; it is rewritten to 0 ("copy the input's dimension") so any batch runs.
/// </summary>
public sealed class ReshapeRule : ReshapeLikeRule
{
    public override string OpType => "Reshape";

    /// <summary>ONNX's "infer this dimension" in a target shape.</summary>
    private const long Infer = -1;

    public override void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e)
    {
        var target = facts.ConstantInts(node, 1, "shape");
        if (target.Length == 0 || target[0] != facts.SourceBatch) return;
        if (!Shapes.HasBatch(facts.Shape(node.Input[0]))) return;
        target[0] = 0;
        node.Input[1] = e.Int64s(target);
        facts.SetConstant(node.Input[1], Tensors.Int64Tensor(node.Input[1], [target.Length], target));
    }

    /// <summary>The target with 0 resolved, and an inferred first dimension read as the batch where that is what it is.</summary>
    private static long[] Target(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        long elements = Shapes.Product(x[1..]);
        // 0 copies the input's dimension; a folded Shape of the image already holds the batch marker.
        var result = facts.ConstantInts(node, 1, "shape").Select((t, i) => t == 0 ? x[i] : t).ToArray();
        // An inferred first dimension is the batch when the others hold exactly one image.
        if (result is [Infer, ..] && result.Skip(1).All(d => d > 0) && Shapes.Product(result[1..]) == elements)
            result[0] = Shapes.Batch;
        return result;
    }

    /// <summary>The batch must stay in front and whole: the target's first dimension, and only it.</summary>
    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        var target = Target(node, facts);
        bool keeps = target.Length > 0 && target[0] == Shapes.Batch && !target.Skip(1).Contains(Shapes.Batch);
        return AxisWork.On("reshapes", keeps ? [] : [0]);
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        if (!Shapes.HasBatch(x)) throw new GraphException($"Reshape '{node.Label()}': only an input with the batch in front is supported");
        long elements = Shapes.Product(x[1..]);
        var result = Target(node, facts);
        int unknown = Array.IndexOf(result, Infer, 1);
        if (unknown > 0) result[unknown] = elements / Shapes.Product(result[1..].Where(d => d != Infer));
        if (Shapes.Product(result[1..]) != elements) throw new GraphException($"Reshape '{node.Label()}' changes the number of elements per image");
        return [result];
    }
}
