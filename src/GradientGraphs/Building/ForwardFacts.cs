using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// What is known about the forward graph before any backward node is added:
/// every tensor's static shape (batch symbolic), and which tensors are constants.
/// </summary>
public sealed class ForwardFacts
{
    private readonly Dictionary<string, long[]> _shapes = new();
    private readonly Dictionary<string, TensorProto> _constants = new();

    /// <summary>The batch size the source model fixed on its image input, if it fixed one.</summary>
    public long? SourceBatch { get; init; }

    /// <summary>The image input's name (its first dimension is the batch at run time).</summary>
    public string Image { get; init; } = "";

    public bool HasShape(string tensor) => _shapes.ContainsKey(tensor);

    public long[] Shape(string tensor) =>
        _shapes.TryGetValue(tensor, out var s) ? s : throw new GraphException($"the shape of tensor '{tensor}' is not known statically");

    public void SetShape(string tensor, long[] shape) => _shapes[tensor] = shape;

    public TensorProto? Constant(string tensor) =>
        tensor.Length > 0 && _constants.TryGetValue(tensor, out var t) ? t : null;

    public void SetConstant(string tensor, TensorProto value)
    {
        _constants[tensor] = value;
        _shapes[tensor] = value.Dims.ToArray();
    }

    /// <summary>A constant input read as integers, e.g. the axes of Unsqueeze or the shape of Reshape.</summary>
    public long[] ConstantInts(NodeProto node, int input, string what) =>
        Constant(node.Input.ElementAtOrDefault(input) ?? "") is { } t
            ? Tensors.ToLongs(t)
            : throw new GraphException($"{node.OpType} '{node.Label()}' takes its {what} from the graph at run time; only constant {what} is supported");

    /// <summary>An optional constant input read as integers, or null when the input is absent.</summary>
    public long[]? OptionalConstantInts(NodeProto node, int input, string what) =>
        string.IsNullOrEmpty(node.Input.ElementAtOrDefault(input)) ? null : ConstantInts(node, input, what);
}
