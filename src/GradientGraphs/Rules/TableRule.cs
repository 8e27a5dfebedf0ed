using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// A row of the <see cref="DerivativeTable"/> as an op rule: an elementwise op over inputs that
/// broadcast (one input for a unary op). Input i's gradient is the row's expression i (or its one
/// expression, for every input of a variadic op), summed over the axes the forward op broadcast
/// that input along. The row's expressions declare which inputs it differentiates.
/// </summary>
public sealed class TableRule : OpRule
{
    private readonly Func<Chain, string>[] _gradients;
    private readonly bool _variadic;

    private TableRule(string opType, Func<Chain, string>[] gradients, bool variadic)
    {
        OpType = opType;
        _gradients = gradients;
        _variadic = variadic;
        Differentiable = variadic ? DifferentiableInputs.Every : DifferentiableInputs.Only([.. Enumerable.Range(0, gradients.Length)]);
    }

    /// <summary>An op whose input i has the gradient gradients[i].</summary>
    public static TableRule Of(string opType, params Func<Chain, string>[] gradients) => new(opType, gradients, variadic: false);

    /// <summary>An op of any number of inputs, each with the same gradient (Sum).</summary>
    public static TableRule OfEvery(string opType, Func<Chain, string> gradient) => new(opType, [gradient], variadic: true);

    public override string OpType { get; }
    public override DifferentiableInputs Differentiable { get; }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var y = node.Input.Select(facts.Shape).Aggregate(Shapes.Broadcast);
        // A broadcast may only add the batch to an input that lacks it, never move it from index 0.
        if (node.Input.Select(facts.Shape).Any(x => Shapes.HasBatch(x) && x.Length != y.Length))
            throw new GraphException($"{node.OpType} '{node.Label()}' broadcasts an input with the batch to a higher rank, which moves the batch axis");
        return [y];
    }

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var y = ctx.Shape(node.Output[0]);
        var chain = new Chain(node, outputGrads[0]!, ctx);
        return node.Input.Select((input, i) =>
        {
            if (!needed[i]) return null;
            var x = ctx.Shape(input);
            var g = _gradients[_variadic ? 0 : i](chain);
            return x.SequenceEqual(y) ? g : ctx.SumToShape(g, y, x);
        }).ToArray();
    }
}
