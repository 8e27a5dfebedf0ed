using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules.Pooling;

/// <summary>GlobalAveragePool: dX = dY / (H W), spread over the whole plane.</summary>
public sealed class GlobalAveragePoolRule : OpRule
{
    public override string OpType => "GlobalAveragePool";
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        return [[x[0], x[1], .. x[2..].Select(_ => 1L)]];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var x = ctx.Shape(node.Input[0]);
        var spatial = x[2..];
        var scaled = ctx.E.Mul(outputGrads[0]!, ctx.E.Scalar(1f / Shapes.Product(spatial)));
        return [ctx.E.Op("Expand", scaled, ctx.E.Int64s([1, 1, .. spatial]))];
    }
}
