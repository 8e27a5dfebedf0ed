using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Rules.Windows;
using Onnx;

namespace GradientGraphs.Rules.Pooling;

/// <summary>MaxPool and AveragePool: one window per channel; the output keeps N and C.</summary>
public abstract class PoolRule : OpRule
{
    public override DifferentiableInputs Differentiable => DifferentiableInputs.First;

    protected static WindowGeometry Geometry(NodeProto node, ForwardFacts facts) =>
        WindowGeometry.Resolve(node, facts.Shape(node.Input[0]), node.Ints("kernel_shape")!);

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        long[] y = [x[0], x[1], .. Geometry(node, facts).OutputSize];
        return node.Output.Select(_ => y).ToArray();
    }

    public override string? Refusal(NodeProto node, ForwardFacts facts) =>
        node.Ints("kernel_shape") == null ? "no kernel_shape" : null;
}
