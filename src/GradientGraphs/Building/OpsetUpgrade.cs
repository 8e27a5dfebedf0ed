using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// Brings a model of an older opset to <see cref="TargetOpset"/>, the opset the backward ops are
/// written in (ScatterElements with reduction needs 16). Each legacy form whose meaning did not
/// change is rewritten (attributes that became inputs, attributes that were dropped); a legacy
/// form whose meaning changed is refused.
/// </summary>
public static class OpsetUpgrade
{
    public const long TargetOpset = 17;
    public const long MinimumIrVersion = 8;

    /// <summary>
    /// Upgrades the model in place; returns the softmax nodes whose legacy meaning (softmax over the
    /// input flattened from axis 1) equals the new one (over axis 1) only if every later axis has size 1.
    /// </summary>
    public static IReadOnlyList<NodeProto> Apply(ModelProto model, GraphEmitter e)
    {
        var legacySoftmax = new List<NodeProto>();
        var defaultDomain = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        long from = defaultDomain?.Version ?? TargetOpset;
        if (from < TargetOpset)
        {
            var refused = new List<(string, string, string)>();
            foreach (var node in model.Graph.Node.ToList())
            {
                if (node.Domain is not ("" or "ai.onnx")) continue;
                if (node.OpType is "Softmax" or "LogSoftmax" or "Hardmax" && from < 13) legacySoftmax.Add(node);
                if (Upgrade(node, from, e) is { } reason) refused.Add((node.OpType, node.Label(), reason));
            }
            if (refused.Count > 0) throw new UnsupportedOpsException(refused);
            if (defaultDomain == null) model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = TargetOpset });
            else defaultDomain.Version = TargetOpset;
        }
        model.IrVersion = Math.Max(model.IrVersion, MinimumIrVersion);
        return legacySoftmax;
    }

    /// <summary>Refuses a legacy softmax whose input has axes of size above 1 after axis 1 (its meaning changed at opset 13).</summary>
    public static void CheckLegacySoftmax(IEnumerable<NodeProto> nodes, ForwardFacts facts)
    {
        var changed = nodes.Where(n => !facts.HasShape(n.Input[0]) || facts.Shape(n.Input[0]).Skip(2).Any(d => d != 1))
            .Select(n => (n.OpType, n.Label(), "a softmax of opset < 13 over more than one axis, whose meaning changed at opset 13")).ToList();
        if (changed.Count > 0) throw new UnsupportedOpsException(changed);
    }

    /// <summary>Rewrites one node in place; returns why it cannot be, or null.</summary>
    private static string? Upgrade(NodeProto node, long from, GraphEmitter e)
    {
        node.Remove("consumed_inputs");
        switch (node.OpType)
        {
            case "Reshape" when node.Has("shape"):
                MoveIntsToInput(node, "shape", 1, e);
                break;
            case "Squeeze" or "Unsqueeze" or "ReduceSum" when from < 13 && node.Has("axes"):
                MoveIntsToInput(node, "axes", 1, e);
                break;
            case "Split" when from < 13 && node.Has("split"):
                MoveIntsToInput(node, "split", 1, e);
                break;
            case "Clip" when from < 11:
                var min = node.Find("min")?.F;
                var max = node.Find("max")?.F;
                node.Remove("min");
                node.Remove("max");
                while (node.Input.Count < 3) node.Input.Add("");
                node.Input[1] = min is { } lo ? e.Scalar(lo) : "";
                node.Input[2] = max is { } hi ? e.Scalar(hi) : "";
                break;
            case "Pad" when from < 11:
                var pads = node.Ints("pads") ?? node.Ints("paddings") ?? [];
                float value = node.Float("value", 0f);
                node.Remove("pads");
                node.Remove("paddings");
                node.Remove("value");
                node.Input.Add(e.Int64s(pads));
                node.Input.Add(e.Scalar(value));
                break;
            case "Slice" when from < 10:
                var starts = node.Ints("starts")!;
                var ends = node.Ints("ends")!;
                var axes = node.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                foreach (var name in new[] { "starts", "ends", "axes" }) node.Remove(name);
                node.Input.Add(e.Int64s(starts));
                node.Input.Add(e.Int64s(ends));
                node.Input.Add(e.Int64s(axes));
                break;
            case "BatchNormalization":
                if (node.Int("spatial", 1) == 0) return "per-activation statistics (spatial=0) are not supported";
                node.Remove("spatial");
                node.Remove("is_test");
                break;
            case "Dropout":
                node.Remove("is_test");
                node.Remove("ratio");
                break;
            case "Softmax" or "LogSoftmax" or "Hardmax" when from < 13:
                // Before opset 13 the input was flattened to 2-D at axis; say so explicitly.
                return node.Has("axis") && node.Int("axis", 1) != 1
                    ? "a legacy softmax over a flattened axis other than 1 is not supported" : SetDefaultAxis(node);
            case "Add" or "Sub" or "Mul" or "Div" or "Gemm" or "Sum" when from < 7:
                if (node.Has("axis")) return "legacy broadcasting along an axis is not supported";
                node.Remove("broadcast");
                break;
            case "Concat" when from < 4 && !node.Has("axis"):
                node.Set("axis", 1L);
                break;
            case "Upsample":
                return "Upsample was removed from ONNX; convert the model to Resize";
        }
        return null;
    }

    private static string? SetDefaultAxis(NodeProto node)
    {
        node.Set("axis", 1L);
        return null;
    }

    private static void MoveIntsToInput(NodeProto node, string attribute, int input, GraphEmitter e)
    {
        var values = node.Ints(attribute)!;
        node.Remove(attribute);
        while (node.Input.Count <= input) node.Input.Add("");
        node.Input[input] = e.Int64s(values);
    }
}
