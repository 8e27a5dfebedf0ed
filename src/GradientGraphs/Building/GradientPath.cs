using GradientGraphs.Rules;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// The nodes that lie between the image and the score: reached from the image (not through a
/// piecewise-constant op such as Shape) and reaching the score. Only these need gradient rules.
/// </summary>
public sealed class GradientPath
{
    private readonly HashSet<string> _reaching;

    /// <summary>Path nodes in forward (topological) order.</summary>
    public IReadOnlyList<NodeProto> Nodes { get; }

    private GradientPath(IReadOnlyList<NodeProto> nodes, HashSet<string> reaching)
    {
        Nodes = nodes;
        _reaching = reaching;
    }

    /// <summary>True for a tensor on the path: it depends on the image and the score depends on it.</summary>
    public bool Reaches(string tensor) => _reaching.Contains(tensor);

    public static GradientPath Find(GraphProto graph, string image, string score)
    {
        var fromImage = new HashSet<string> { image };
        foreach (var node in graph.Node)
            if (!RuleTable.PiecewiseConstant.Contains(node.OpType) && node.Input.Any(fromImage.Contains))
                fromImage.UnionWith(node.Output);
        if (!fromImage.Contains(score)) throw new GraphException($"the score '{score}' does not depend on the image '{image}'");

        var toScore = new HashSet<string> { score };
        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (!node.Output.Any(toScore.Contains) || !node.Input.Any(fromImage.Contains)) continue;
            if (RuleTable.PiecewiseConstant.Contains(node.OpType)) continue;
            nodes.Add(node);
            toScore.UnionWith(node.Input.Where(fromImage.Contains));
        }
        nodes.Reverse();
        return new GradientPath(nodes, toScore);
    }
}
