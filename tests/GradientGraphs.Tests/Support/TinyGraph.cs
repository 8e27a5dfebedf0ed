using Google.Protobuf;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Tests.Support;

/// <summary>Builds small ONNX models in code: one image input "x" of fixed batch 1, one output.</summary>
public sealed class TinyGraph
{
    private readonly GraphProto _graph = new() { Name = "tiny" };
    private readonly Random _random;
    private int _counter;
    public long Opset { get; init; } = 17;

    public TinyGraph(long[] inputShape, int seed = 1)
    {
        _random = new Random(seed);
        _graph.Input.Add(Value("x", Tensors.Float, inputShape));
    }

    public string X => "x";

    public static ValueInfoProto Value(string name, int type, long[] shape)
    {
        var v = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = new TensorShapeProto() } } };
        foreach (var d in shape) v.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return v;
    }

    public string Weights(params long[] dims) =>
        Constant(dims, Enumerable.Range(0, (int)dims.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(_random.NextDouble() * 2 - 1) * 0.7f).ToArray());

    public string Constant(long[] dims, float[] values)
    {
        var name = $"c{_counter++}";
        _graph.Initializer.Add(Tensors.FloatTensor(name, dims, values));
        return name;
    }

    public string Ints(params long[] values) => IntTensor([values.Length], values);

    /// <summary>An int64 constant of any shape ([] for a scalar).</summary>
    public string IntTensor(long[] dims, params long[] values)
    {
        var name = $"i{_counter++}";
        _graph.Initializer.Add(Tensors.Int64Tensor(name, dims, values));
        return name;
    }

    /// <summary>A boolean scalar initializer (e.g. Dropout's training_mode).</summary>
    public string Bools(bool value)
    {
        var name = $"b{_counter++}";
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Bool };
        tensor.Int32Data.Add(value ? 1 : 0);
        _graph.Initializer.Add(tensor);
        return name;
    }

    public string Op(string op, string[] inputs, Action<NodeProto>? attributes = null, int outputs = 1) =>
        Node(op, inputs, outputs, attributes)[0];

    public string[] Node(string op, string[] inputs, int outputs, Action<NodeProto>? attributes = null)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_counter++}" };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputs; i++) node.Output.Add($"t{_counter++}");
        attributes?.Invoke(node);
        _graph.Node.Add(node);
        return node.Output.ToArray();
    }

    /// <summary>
    /// A head on t (N, C, H, W) that reads every position: a 1x1 Conv to a few class channels, squared, summed over H and W.
    /// With t itself as the output each class is one element of t, whose gradient reaches one window of the op before;
    /// through the head every position weighs in on every class with its own weight (2z), so a wrong gradient at any
    /// window shows. Nothing in it fixes t's spatial size.
    /// </summary>
    public string Head(string t, long channels, int classes = 4)
    {
        var z = Op("Conv", [t, Weights(classes, channels, 1, 1)]);
        return Op("ReduceSum", [Op("Mul", [z, z]), Ints(2, 3)], n => n.Set("keepdims", 0L));
    }

    /// <summary>The model, with these outputs (extra ones expose intermediate tensors, e.g. the logits before a Softmax).</summary>
    public byte[] Finish(string output, params string[] extraOutputs)
    {
        foreach (var name in extraOutputs.Prepend(output))
            _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float } } });
        var model = new ModelProto { IrVersion = 8, Graph = _graph, ProducerName = "tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }
}
