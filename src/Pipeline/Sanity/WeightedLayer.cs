using GradientGraphs.Onnx;
using Onnx;

namespace Pipeline.Sanity;

/// <summary>
/// A layer the sanity check can randomise: a node whose learned parameters are float initializers
/// (a Conv's or Gemm's weight and bias, a MatMul's weight matrix; with norms, a normalisation's
/// scale and bias).
/// </summary>
public sealed record WeightedLayer(string Name, string OpType, IReadOnlyList<string> Initializers)
{
    private static readonly HashSet<string> Norms = ["BatchNormalization", "LayerNormalization", "InstanceNormalization"];

    /// <summary>The model's weighted layers from the output to the input (the reverse of the graph's topological order).</summary>
    public static IReadOnlyList<WeightedLayer> Find(GraphProto graph, bool withNorms)
    {
        var floats = graph.Initializer.Where(i => i.DataType == Tensors.Float).Select(i => i.Name).ToHashSet();
        var layers = new List<WeightedLayer>();
        var taken = new HashSet<string>();
        foreach (var (node, index) in graph.Node.Select((n, i) => (n, i)))
        {
            int[] parameters = node.OpType switch
            {
                "Conv" or "Gemm" => [1, 2],
                "MatMul" => [0, 1],
                _ when withNorms && Norms.Contains(node.OpType) => [1, 2],
                _ => [],
            };
            // A weight shared by two nodes belongs to the first (the one nearer the input), and is randomised once.
            var names = parameters.Where(p => p < node.Input.Count && floats.Contains(node.Input[p]) && !taken.Contains(node.Input[p]))
                .Select(p => node.Input[p]).ToList();
            // A Conv without its weight among the initializers (a weight computed in the graph) is not a layer we can randomise.
            if (names.Count == 0 || node.OpType is "Conv" or "Gemm" && !names.Contains(node.Input[1])) continue;
            taken.UnionWith(names);
            layers.Add(new WeightedLayer(node.Name.Length > 0 ? node.Name : $"{node.OpType}_{index}", node.OpType, names));
        }
        layers.Reverse();
        return layers;
    }
}
