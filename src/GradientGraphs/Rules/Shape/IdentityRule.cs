using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

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
