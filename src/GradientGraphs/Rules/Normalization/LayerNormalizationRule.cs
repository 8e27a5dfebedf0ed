using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Normalization;

/// <summary>
/// LayerNormalization over the axes from axis on, Y = X̂ scale + bias with X̂ = (X - mean) r,
/// r = 1 / sqrt(var + epsilon): with G = dY scale and means over the normalised axes,
/// dX = r (G - mean(G) - X̂ mean(G X̂)). The forward node also returns its mean and r (its
/// optional outputs, added where it has none; the values do not change), so X̂ costs one Sub and
/// one Mul. Means are ReduceSum times 1/count: ReduceMean changed its axes to an input at opset 18.
/// </summary>
public sealed class LayerNormalizationRule : OpRule
{
    public override string OpType => "LayerNormalization";

    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;
    protected override long DefaultAxis => -1;

    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        int rank = facts.Shape(node.Input[0]).Length;
        int axis = Axis(node, rank);
        return AxisWork.On("normalises over", Enumerable.Range(axis, rank - axis));
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        long[] statistics = [.. x[..axis], .. x[axis..].Select(_ => 1L)];
        return [x, statistics, statistics];
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts)
    {
        bool FromImage(int i) => node.Input.Count > i && node.Input[i] != "" && Shapes.HasBatch(facts.Shape(node.Input[i]));
        return FromImage(1) || FromImage(2) ? "a scale or bias computed from the image is not supported" : null;
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        if (outputGrads.Skip(1).Any(g => g != null)) throw new GraphException($"LayerNormalization '{node.Label()}': its mean and deviation outputs feed the score; only Y is supported");
        var e = ctx.E;
        var x = ctx.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        long[] axes = Enumerable.Range(axis, x.Length - axis).Select(i => (long)i).ToArray();
        long[] statistics = [.. x[..axis], .. axes.Select(_ => 1L)];
        var inverseCount = e.Scalar(1f / Shapes.Product(x[axis..]));
        string Mean(string t) => e.Mul(e.ReduceSum(t, axes), inverseCount);

        var (mean, inverseDeviation) = Statistics(node, e);
        var normalised = e.Mul(e.Sub(node.Input[0], mean), inverseDeviation);   // X̂, forward [N, ...]
        var g = e.Mul(outputGrads[0]!, node.Input[1]);                          // scale has no batch
        var centred = e.Sub(g, Mean(g));
        var projection = Mean(ctx.MulByForward(g, x, normalised, x));           // [N*K, ..., 1]
        var t = e.Sub(centred, ctx.MulByForward(projection, statistics, normalised, x));
        var result = new string?[node.Input.Count];
        result[0] = ctx.MulByForward(t, x, inverseDeviation, statistics);
        return result;
    }

    /// <summary>The forward node's Mean and InvStdDev outputs, named where the source left them out.</summary>
    private static (string Mean, string InverseDeviation) Statistics(NodeProto node, GraphEmitter e)
    {
        while (node.Output.Count < 3) node.Output.Add("");
        if (node.Output[1] == "") node.Output[1] = e.FreshName("layernorm_mean");
        if (node.Output[2] == "") node.Output[2] = e.FreshName("layernorm_inverse_deviation");
        return (node.Output[1], node.Output[2]);
    }
}
