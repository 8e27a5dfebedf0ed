using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Squeeze and Unsqueeze on non-batch axes (from the attribute, or the second input from opset 13).</summary>
public sealed class SqueezeRule(string opType) : ReshapeLikeRule
{
    public override string OpType => opType;
    private bool Unsqueeze => opType == "Unsqueeze";

    private static long[]? Axes(NodeProto node, ForwardFacts facts) =>
        node.Ints("axes") ?? facts.OptionalConstantInts(node, 1, "axes");

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

    /// <summary>The axes, non-negative: of the output for Unsqueeze, of the input for Squeeze.</summary>
    private static HashSet<int> NormalizedAxes(NodeProto node, ForwardFacts facts, bool unsqueeze)
    {
        var x = facts.Shape(node.Input[0]);
        var axes = Axes(node, facts) ?? [];
        int rank = unsqueeze ? x.Length + axes.Length : x.Length;
        return axes.Select(a => Shapes.Axis(a, rank)).ToHashSet();
    }

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts) =>
        AxisWork.On(Unsqueeze ? "inserts an axis at" : "squeezes", NormalizedAxes(node, facts, Unsqueeze));

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        var normalized = NormalizedAxes(node, facts, Unsqueeze);
        int outRank = Unsqueeze ? x.Length + normalized.Count : x.Length;
        if (!Unsqueeze) return [x.Where((_, i) => !normalized.Contains(i)).ToArray()];
        var rest = new Queue<long>(x);
        return [Enumerable.Range(0, outRank).Select(i => normalized.Contains(i) ? 1L : rest.Dequeue()).ToArray()];
    }
}
