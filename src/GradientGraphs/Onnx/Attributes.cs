using Google.Protobuf;
using Onnx;

namespace GradientGraphs.Onnx;

/// <summary>Typed access to a node's attributes, with defaults as the ONNX spec gives them.</summary>
public static class Attributes
{
    public static AttributeProto? Find(this NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    public static bool Has(this NodeProto node, string name) => node.Find(name) != null;

    public static long Int(this NodeProto node, string name, long fallback) => node.Find(name)?.I ?? fallback;

    public static float Float(this NodeProto node, string name, float fallback) => node.Find(name)?.F ?? fallback;

    public static string String(this NodeProto node, string name, string fallback) =>
        node.Find(name) is { } a ? a.S.ToStringUtf8() : fallback;

    public static long[]? Ints(this NodeProto node, string name) => node.Find(name)?.Ints.ToArray();

    public static void Set(this NodeProto node, string name, long value)
    {
        node.Remove(name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });
    }

    public static void Set(this NodeProto node, string name, float value)
    {
        node.Remove(name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
    }

    public static void Set(this NodeProto node, string name, string value)
    {
        node.Remove(name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });
    }

    public static void Set(this NodeProto node, string name, IEnumerable<long> values)
    {
        node.Remove(name);
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        node.Attribute.Add(a);
    }

    public static void Set(this NodeProto node, string name, TensorProto value)
    {
        node.Remove(name);
        node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value });
    }

    public static void Remove(this NodeProto node, string name)
    {
        for (int i = node.Attribute.Count - 1; i >= 0; i--)
            if (node.Attribute[i].Name == name) node.Attribute.RemoveAt(i);
    }

    /// <summary>The node's name for messages: its own name, else its first output.</summary>
    public static string Label(this NodeProto node) =>
        string.IsNullOrEmpty(node.Name) ? $"{node.OpType}->{node.Output.FirstOrDefault()}" : node.Name;
}
