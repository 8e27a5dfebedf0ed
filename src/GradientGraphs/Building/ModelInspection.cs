using GradientGraphs.Rules;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>What `Pipeline inspect` reports: inputs, outputs, an op histogram and the ops the builder cannot differentiate.</summary>
public sealed record ModelInspection(
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<(string OpType, int Count, bool Supported)> Ops,
    IReadOnlyList<string> Opsets,
    string? Refusal)
{
    public static ModelInspection Of(byte[] modelBytes)
    {
        var model = ModelProto.Parser.ParseFrom(modelBytes);
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        var ops = model.Graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count())
            .Select(g => (g.Key, g.Count(), RuleTable.Find(g.Key) != null || RuleTable.PiecewiseConstant.Contains(g.Key) || g.Key == "Constant"))
            .ToList();
        string? refusal = null;
        try { GradientGraphBuilder.Build(modelBytes, new BuildOptions()); }
        catch (GraphException e) { refusal = e.Message; }
        return new ModelInspection(
            model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList(),
            model.Graph.Output.Select(Describe).ToList(),
            ops,
            model.OpsetImport.Select(o => $"{(o.Domain == "" ? "ai.onnx" : o.Domain)} {o.Version}").ToList(),
            refusal);
    }

    /// <summary>"name type [dims]", a symbolic dimension by its name.</summary>
    public static string Describe(ValueInfoProto v) =>
        $"{v.Name} {ElementType(v)} [{string.Join(",", v.Type?.TensorType?.Shape?.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString()) ?? [])}]";

    private static string ElementType(ValueInfoProto v) =>
        v.Type?.TensorType is { } t ? ((TensorProto.Types.DataType)t.ElemType).ToString().ToLowerInvariant() : "?";
}
