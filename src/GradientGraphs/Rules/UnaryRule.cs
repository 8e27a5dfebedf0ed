using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>An op with one differentiable input (input 0) and one output.</summary>
public abstract class UnaryRule : OpRule
{
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts) => [facts.Shape(node.Input[0])];

    public override string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx)
    {
        var result = new string?[node.Input.Count];
        result[0] = Backward(node, outputGrads[0]!, ctx);
        return result;
    }

    protected abstract string Backward(NodeProto node, string dY, BackwardContext ctx);
}
