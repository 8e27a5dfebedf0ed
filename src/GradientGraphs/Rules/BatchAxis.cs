using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// The one check that refuses work along the batch axis: backward tensors hold every class of an
/// image in that axis ([N*K, ...]), so a node may only carry it through, in front and whole.
/// Asked for every node whose input carries the batch, before its shapes are inferred.
/// </summary>
public static class BatchAxis
{
    public static string? Refusal(OpRule rule, NodeProto node, ForwardFacts facts)
    {
        if (!node.Input.Any(i => i != "" && Shapes.HasBatch(facts.Shape(i)))) return null;
        return rule.WorksAlong(node, facts) is { } work && work.Axes.Contains(0) ? $"{work.Action} the batch axis" : null;
    }
}
