using Onnx;

namespace GradientGraphs.Onnx;

/// <summary>Drops the nodes and initializers that no graph output needs, keeping the rest in their order.</summary>
public static class GraphPruning
{
    public static void KeepWhatOutputsNeed(GraphProto graph)
    {
        var needed = graph.Output.Select(o => o.Name).ToHashSet();
        var producers = new Dictionary<string, NodeProto>();
        foreach (var n in graph.Node) foreach (var o in n.Output) producers[o] = n;
        var stack = new Stack<string>(needed);
        var kept = new HashSet<NodeProto>();
        while (stack.Count > 0)
        {
            if (!producers.TryGetValue(stack.Pop(), out var node) || !kept.Add(node)) continue;
            foreach (var i in node.Input.Where(i => i != "")) if (needed.Add(i)) stack.Push(i);
        }
        var nodes = graph.Node.Where(kept.Contains).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
    }
}
