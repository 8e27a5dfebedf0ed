namespace GradientGraphs.Building;

/// <summary>
/// Static tensor shapes. Every dimension is a known number except the batch dimension,
/// which is symbolic: it is written as <see cref="Batch"/> and may only stand at index 0.
/// </summary>
public static class Shapes
{
    /// <summary>
    /// The symbolic batch, in shapes and in folded shape values (a Shape of the image). Not -1,
    /// which a Reshape target uses for "infer this dimension"; never computed with.
    /// </summary>
    public const long Batch = long.MinValue;

    public static bool HasBatch(long[] shape) => shape.Length > 0 && shape[0] == Batch;

    /// <summary>The dimensions after the batch dimension.</summary>
    public static long[] Rest(long[] shape) => shape.Skip(1).ToArray();

    /// <summary>An axis (or an index into a shape) as ONNX gives it, negative counting from the end.</summary>
    public static int Axis(long axis, long rank) => (int)(axis < 0 ? axis + rank : axis);

    /// <summary>A slice bound, negative counting from the end, clamped to [0, length] as Slice and Shape clamp it.</summary>
    public static long Bound(long bound, long length) => Math.Clamp(bound < 0 ? bound + length : bound, 0, length);

    public static long Product(IEnumerable<long> dims) => dims.Aggregate(1L, (a, b) => a * b);

    public static string Show(long[] shape) => "[" + string.Join(",", shape.Select(d => d == Batch ? "N" : d.ToString())) + "]";

    /// <summary>Numpy-style broadcast of two static shapes (the batch symbol broadcasts with 1 and itself).</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            long db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da == db || db == 1) result[i] = da;
            else if (da == 1) result[i] = db;
            else throw new GraphException($"shapes {Show(a)} and {Show(b)} do not broadcast");
        }
        return result;
    }
}
