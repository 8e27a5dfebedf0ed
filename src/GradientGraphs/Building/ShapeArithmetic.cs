using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// Folds the small integer subgraphs exporters write to compute shapes and slice bounds
/// (Shape -> Gather -> Div -> Mul -> Slice, Concat -> Reshape; ConstantOfShape -> Equal -> Where
/// -> Expand, torch's expand(n, -1, -1), with the batch read from the image's Shape where the
/// model was exported with a dynamic batch: Concat -> Reshape -> Equal -> Where) into known
/// values, so the rules that read them see constants. Equal's booleans are kept as 0 and 1.
/// The batch size is unknown: it folds to <see cref="Shapes.Batch"/>, which may be copied around
/// but not computed with; Equal compares it only where the answer does not depend on its value
/// (with itself, or with a number below 1).
/// </summary>
public static class ShapeArithmetic
{
    private static readonly HashSet<string> Foldable =
        ["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Identity", "Add", "Sub", "Mul", "Div",
         "ConstantOfShape", "Equal", "Where", "Reshape"];

    /// <summary>The most elements a folded ConstantOfShape may have (shape values are short vectors).</summary>
    private const long MaxConstantOfShape = 64;

    /// <summary>Folds the node when it is integer shape arithmetic on known values; returns whether it did.</summary>
    public static bool TryFold(NodeProto node, ForwardFacts facts)
    {
        if (!Foldable.Contains(node.OpType) || node.Output.Count != 1) return false;
        if (node.OpType == "Shape")
        {
            if (!facts.HasShape(node.Input[0])) return false;
            var shape = facts.Shape(node.Input[0]);
            long start = Shapes.Bound(node.Int("start", 0), shape.Length), end = Shapes.Bound(node.Int("end", shape.Length), shape.Length);
            Set(node, facts, shape[(int)start..(int)Math.Max(start, end)], [Math.Max(0, end - start)]);
            return true;
        }
        if (node.OpType == "ConstantOfShape")
        {
            if (facts.Constant(node.Input[0]) is not { } shapeTensor || node.Find("value")?.T is not { DataType: Tensors.Int64 or Tensors.Int32 } fill) return false;
            var dims0 = Tensors.ToLongs(shapeTensor);
            if (dims0.Any(d => d < 0) || Shapes.Product(dims0) > MaxConstantOfShape) return false;
            Set(node, facts, Enumerable.Repeat(Tensors.ToLongs(fill)[0], (int)Shapes.Product(dims0)).ToArray(), dims0);
            return true;
        }
        var inputs = new List<(long[] Values, long[] Dims)>();
        foreach (var name in node.Input)
        {
            if (name == "") { inputs.Add(([], [])); continue; }
            if (facts.Constant(name) is not { } t || t.DataType is not (Tensors.Int64 or Tensors.Int32)) return false;
            inputs.Add((Tensors.ToLongs(t), t.Dims.ToArray()));
        }
        if (node.OpType == "Cast" && node.Int("to", 0) is not (Tensors.Int64 or Tensors.Int32)) return false;
        var (values, dims) = inputs[0];
        switch (node.OpType)
        {
            case "Identity" or "Cast":
                Set(node, facts, values, dims);
                return true;
            case "Unsqueeze" or "Squeeze":
                // Shape values are scalars and vectors: only their rank changes.
                Set(node, facts, values, node.OpType == "Unsqueeze" && dims.Length == 0 ? [1] : dims.Length == 1 && values.Length == 1 && node.OpType == "Squeeze" ? [] : [values.Length]);
                return true;
            case "Concat":
                var all = inputs.SelectMany(i => i.Values).ToArray();
                Set(node, facts, all, [all.Length]);
                return true;
            case "Gather" when dims.Length == 1 && node.Int("axis", 0) == 0:
                var (indices, indexDims) = inputs[1];
                Set(node, facts, indices.Select(i => values[Shapes.Axis(i, values.Length)]).ToArray(), indexDims);
                return true;
            case "Slice" when dims.Length == 1 && inputs.Count >= 3:
                long s = Shapes.Bound(inputs[1].Values[0], values.Length), e = Shapes.Bound(inputs[2].Values[0], values.Length);
                if (inputs.Count > 4 && inputs[4].Values is { Length: > 0 } steps && steps[0] != 1) return false;
                Set(node, facts, values[(int)s..(int)Math.Max(s, e)], [Math.Max(0, e - s)]);
                return true;
            case "Reshape" when inputs.Count == 2 && ReshapedDims(dims, inputs[1].Values, node.Int("allowzero", 0) != 0) is { } reshaped:
                Set(node, facts, values, reshaped);
                return true;
            case "Add" or "Sub" or "Mul" or "Div" or "Equal" when inputs.Count == 2:
                var (b, bDims) = inputs[1];
                if (node.OpType != "Equal" && (values.Contains(Shapes.Batch) || b.Contains(Shapes.Batch))) return false;
                int n = Math.Max(values.Length, b.Length);
                if (values.Length != n && values.Length != 1 || b.Length != n && b.Length != 1) return false;
                var result = new long[n];
                for (int i = 0; i < n; i++)
                {
                    long x = At(values, i), y = At(b, i);
                    if (node.OpType == "Equal" && BatchEqual(x, y) is { } known) { result[i] = known; continue; }
                    if (x == Shapes.Batch || y == Shapes.Batch) return false;
                    result[i] = node.OpType switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Equal" => x == y ? 1 : 0, _ => x / y };
                }
                Set(node, facts, result, dims.Length >= bDims.Length ? dims : bDims);
                return true;
            case "Where" when inputs.Count == 3:
                // Only the chosen values are copied, so the batch marker may pass through.
                var (whenTrue, whenFalse) = (inputs[1].Values, inputs[2].Values);
                int m = new[] { values.Length, whenTrue.Length, whenFalse.Length }.Max();
                if (new[] { values, whenTrue, whenFalse }.Any(v => v.Length != m && v.Length != 1) || values.Contains(Shapes.Batch)) return false;
                Set(node, facts, Enumerable.Range(0, m).Select(i => At(values, i) != 0 ? At(whenTrue, i) : At(whenFalse, i)).ToArray(),
                    inputs.Select(i => i.Dims).MaxBy(d => d.Length)!);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Equal where the batch takes part: 1 for the batch against itself, 0 against a number below 1
    /// (a batch has at least one image: torch's expand(n, -1, -1) compares it with -1); null where
    /// the answer would depend on the batch's value, or the batch takes no part.
    /// </summary>
    private static long? BatchEqual(long x, long y) =>
        (x == Shapes.Batch, y == Shapes.Batch) switch
        {
            (true, true) => 1,
            (true, false) => y < 1 ? 0 : null,
            (false, true) => x < 1 ? 0 : null,
            _ => null,
        };

    /// <summary>
    /// The dims a Reshape of a folded value gives: its target with 0 copying the input's dimension
    /// (unless allowzero) and one -1 inferred; null for a target that names the batch or does not fit.
    /// </summary>
    private static long[]? ReshapedDims(long[] inputDims, long[] target, bool allowZero)
    {
        if (target.Contains(Shapes.Batch) || !allowZero && target.Select((t, i) => t == 0 && i >= inputDims.Length).Any(b => b)) return null;
        var dims = target.Select((t, i) => t == 0 && !allowZero ? inputDims[i] : t).ToArray();
        long count = Shapes.Product(inputDims), known = Shapes.Product(dims.Where(d => d != -1));
        int inferred = dims.Count(d => d == -1);
        if (inferred > 1 || dims.Any(d => d < -1) || known == 0 && inferred == 1) return null;
        if (inferred == 1) dims[Array.IndexOf(dims, -1L)] = count / known;
        return Shapes.Product(dims) == count ? dims : null;
    }

    /// <summary>Element i of a folded operand, a one-element operand broadcast to every i.</summary>
    private static long At(long[] values, int i) => values[values.Length == 1 ? 0 : i];

    private static void Set(NodeProto node, ForwardFacts facts, long[] values, long[] dims) =>
        facts.SetConstant(node.Output[0], Tensors.Int64Tensor(node.Output[0], dims, values));
}
