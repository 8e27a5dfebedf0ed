using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// Appends new nodes and constants to a graph under unique names. Rules speak through it,
/// so a backward rule reads like the formula it implements.
/// </summary>
public sealed class GraphEmitter(GraphProto graph, string prefix)
{
    private int _counter;
    private readonly Dictionary<string, string> _int64Constants = new();
    private readonly HashSet<string> _taken = new(
        graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Initializer.Select(i => i.Name)));

    public GraphProto Graph => graph;

    public string FreshName(string hint)
    {
        string name;
        do name = $"{prefix}{hint}_{_counter++}"; while (_taken.Contains(name));
        _taken.Add(name);
        return name;
    }

    /// <summary>Adds one node; returns its outputs' names.</summary>
    public string[] Node(string op, IEnumerable<string> inputs, int outputs = 1, Action<NodeProto>? attributes = null)
    {
        var node = new NodeProto { OpType = op, Name = FreshName(op) };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputs; i++) node.Output.Add(FreshName(op.ToLowerInvariant()));
        attributes?.Invoke(node);
        graph.Node.Add(node);
        return node.Output.ToArray();
    }

    public string Op(string op, params string[] inputs) => Node(op, inputs)[0];

    public string Op(string op, string[] inputs, Action<NodeProto> attributes) => Node(op, inputs, 1, attributes)[0];

    public string FloatConstant(long[] dims, float[] values, string hint = "const")
    {
        var name = FreshName(hint);
        graph.Initializer.Add(Tensors.FloatTensor(name, dims, values));
        return name;
    }

    public string Scalar(float value) => FloatConstant([], [value], "scalar");

    /// <summary>A 1-D int64 constant; small ones are shared.</summary>
    public string Int64s(params long[] values)
    {
        var key = string.Join(",", values);
        if (_int64Constants.TryGetValue(key, out var existing)) return existing;
        var name = FreshName("ints");
        graph.Initializer.Add(Tensors.Int64Tensor(name, [values.Length], values));
        _int64Constants[key] = name;
        return name;
    }

    // The ops the rules use most, named after the ONNX ops they emit.
    public string Add(string a, string b) => Op("Add", a, b);
    public string Sub(string a, string b) => Op("Sub", a, b);
    public string Mul(string a, string b) => Op("Mul", a, b);
    public string Div(string a, string b) => Op("Div", a, b);
    public string Neg(string a) => Op("Neg", a);
    public string Relu(string a) => Op("Relu", a);
    public string Reshape(string x, params long[] shape) => Op("Reshape", x, Int64s(shape));
    public string Reshape(string x, string shapeTensor) => Op("Reshape", x, shapeTensor);
    public string Unsqueeze(string x, params long[] axes) => Op("Unsqueeze", x, Int64s(axes));
    public string Concat(long axis, params string[] inputs) => Op("Concat", inputs, n => n.Set("axis", axis));
    public string CastToFloat(string x) => Op("Cast", [x], n => n.Set("to", (long)Tensors.Float));
    public string Transpose(string x, long[] perm) => Op("Transpose", [x], n => n.Set("perm", perm));

    public string ReduceSum(string x, long[] axes, bool keepDims = true) =>
        axes.Length == 0 ? x : Op("ReduceSum", [x, Int64s(axes)], n => n.Set("keepdims", keepDims ? 1L : 0L));
}
