using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>
/// Expand to a constant shape: dX = dY summed over the axes it broadcast. A source model that
/// fixed its batch and expands a learned tensor to it (a vision transformer's class token,
/// torch's token.expand(n, -1, -1) before a Concat with the patches) expands to the run's
/// batch instead, read from the image.
/// </summary>
public sealed class ExpandRule : OpRule
{
    public override string OpType => "Expand";
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    /// <summary>Axes added in front of an input with the batch would move it from index 0.</summary>
    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        bool addsInFront = Shapes.HasBatch(x) && facts.ConstantInts(node, 1, "shape").Length > x.Length;
        return AxisWork.On("adds axes in front of", addsInFront ? [0] : []);
    }

    public override void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e)
    {
        if (facts.Constant(node.Input[1]) is not { } targetTensor || facts.SourceBatch is not { } batch) return;
        var x = facts.Shape(node.Input[0]);
        var target = Tensors.ToLongs(targetTensor);
        if (Shapes.HasBatch(x) || target.Length < Math.Max(2, x.Length) || target.Contains(Shapes.Batch)) return;
        if (Shapes.Broadcast(x, target)[0] != batch) return;
        int appended = e.Graph.Node.Count;
        var imageBatch = e.Op("Shape", [facts.Image], n => { n.Set("start", 0L); n.Set("end", 1L); });
        // Both a target of the fixed batch and one of 1 (broadcasting x's leading 1) become the batch.
        node.Input[1] = e.Concat(0, imageBatch, e.Int64s(target[1..]));
        // The new nodes go before the Expand, keeping the forward graph in topological order.
        var added = e.Graph.Node.Skip(appended).ToList();
        for (int i = 0; i < added.Count; i++) e.Graph.Node.RemoveAt(e.Graph.Node.Count - 1);
        int at = e.Graph.Node.IndexOf(node);
        for (int i = 0; i < added.Count; i++) e.Graph.Node.Insert(at + i, added[i]);
        facts.SetConstant(node.Input[1], Tensors.Int64Tensor(node.Input[1], [target.Length], [Shapes.Batch, .. target[1..]]));
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        return [Shapes.Broadcast(facts.Shape(node.Input[0]), facts.ConstantInts(node, 1, "shape"))];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var result = new string?[node.Input.Count];
        result[0] = ctx.SumToShape(outputGrads[0]!, ctx.Shape(node.Output[0]), ctx.Shape(node.Input[0]));
        return result;
    }
}
