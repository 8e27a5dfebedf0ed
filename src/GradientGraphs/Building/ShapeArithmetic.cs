using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// Folds the small integer subgraphs exporters write to compute shapes and slice bounds
/// (Shape -> Gather -> Div -> Mul -> Slice, Concat -> Reshape; ConstantOfShape -> Equal -> Where
/// -> Expand, torch's expand(n, -1, -1)) into known values, so the rules that read them see
/// constants. Equal's booleans are kept as 0 and 1.
/// The batch size is unknown: it folds to <see cref="Shapes.Batch"/>,
/// which may be copied around but not computed with.
/// </summary>
public static class ShapeArithmetic
{
    private static readonly HashSet<string> Foldable =
        ["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Identity", "Add", "Sub", "Mul", "Div",
         "ConstantOfShape", "Equal", "Where"];

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
            case "Add" or "Sub" or "Mul" or "Div" or "Equal" when inputs.Count == 2:
                var (b, bDims) = inputs[1];
                if (values.Contains(Shapes.Batch) || b.Contains(Shapes.Batch)) return false;
                int n = Math.Max(values.Length, b.Length);
                if (values.Length != n && values.Length != 1 || b.Length != n && b.Length != 1) return false;
                var result = Enumerable.Range(0, n).Select(i =>
                {
                    long x = At(values, i), y = At(b, i);
                    return node.OpType switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Equal" => x == y ? 1 : 0, _ => x / y };
                }).ToArray();
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

    /// <summary>Element i of a folded operand, a one-element operand broadcast to every i.</summary>
    private static long At(long[] values, int i) => values[values.Length == 1 ? 0 : i];

    private static void Set(NodeProto node, ForwardFacts facts, long[] values, long[] dims) =>
        facts.SetConstant(node.Output[0], Tensors.Int64Tensor(node.Output[0], dims, values));
}
