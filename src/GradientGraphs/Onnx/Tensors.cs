using Google.Protobuf;
using Onnx;

namespace GradientGraphs.Onnx;

/// <summary>Reading and making ONNX TensorProto values (initializers and constants).</summary>
public static class Tensors
{
    public const int Float = (int)TensorProto.Types.DataType.Float;
    public const int Double = (int)TensorProto.Types.DataType.Double;
    public const int Int64 = (int)TensorProto.Types.DataType.Int64;
    public const int Int32 = (int)TensorProto.Types.DataType.Int32;

    public static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    public static TensorProto Int64Tensor(string name, long[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = Int64 };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    public static long ElementCount(TensorProto t) => t.Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>Values as doubles, whatever the stored element type.</summary>
    public static double[] ToDoubles(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"tensor '{t.Name}' keeps its data in an external file, which is not supported");
        var n = (int)ElementCount(t);
        var raw = t.RawData.Span;
        switch (t.DataType)
        {
            case Float:
                return raw.Length > 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v).ToArray()
                    : t.FloatData.Select(v => (double)v).ToArray();
            case Double:
                return raw.Length > 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(raw).ToArray()
                    : t.DoubleData.ToArray();
            case Int64:
                return ToLongs(t).Select(v => (double)v).ToArray();
            case Int32:
                return raw.Length > 0
                    ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (double)v).ToArray()
                    : t.Int32Data.Select(v => (double)v).ToArray();
            case (int)TensorProto.Types.DataType.Bool:
                // One byte per value in raw_data, else int32_data (e.g. Dropout's training_mode).
                return raw.Length > 0 ? raw.ToArray().Select(v => (double)v).ToArray() : t.Int32Data.Select(v => (double)v).ToArray();
            default:
                throw new NotSupportedException($"tensor '{t.Name}' has element type {t.DataType}, which cannot be read as numbers here");
        }
    }

    public static float[] ToFloats(TensorProto t) => ToDoubles(t).Select(v => (float)v).ToArray();

    public static long[] ToLongs(TensorProto t)
    {
        var raw = t.RawData.Span;
        return t.DataType switch
        {
            Int64 => raw.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw).ToArray() : t.Int64Data.ToArray(),
            Int32 => raw.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(),
            _ => ToDoubles(t).Select(v => (long)v).ToArray(),
        };
    }
}
