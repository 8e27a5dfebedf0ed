using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Normalization;

/// <summary>
/// BatchNormalization at inference, Y = (X - mean) scale / sqrt(var + epsilon) + bias:
/// dX = dY * scale / sqrt(var + epsilon), per channel.
/// </summary>
public sealed class BatchNormalizationRule : UnaryRule
{
    public override string OpType => "BatchNormalization";

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts) =>
        node.Output.Select(_ => facts.Shape(node.Input[0])).ToArray();

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        node.Int("training_mode", 0) != 0 ? "training mode (batch statistics) is not supported"
        : node.Output.Count > 1 ? "training outputs (running statistics) are not supported"
        : null;

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var e = ctx.E;
        var x = ctx.Shape(node.Input[0]);
        float epsilon = node.Float("epsilon", 1e-5f);
        long[] perChannel = [x[1], .. x[2..].Select(_ => 1L)];
        string factor;
        if (ctx.Facts.Constant(node.Input[1]) is { } scale && ctx.Facts.Constant(node.Input[4]) is { } variance)
        {
            var s = Tensors.ToDoubles(scale);
            var v = Tensors.ToDoubles(variance);
            factor = e.FloatConstant(perChannel, s.Select((si, c) => (float)(si / Math.Sqrt(v[c] + epsilon))).ToArray(), "bn_factor");
        }
        else
        {
            var std = e.Op("Sqrt", e.Add(node.Input[4], e.Scalar(epsilon)));
            factor = e.Reshape(e.Div(node.Input[1], std), perChannel);
        }
        return e.Mul(dY, factor);
    }
}
