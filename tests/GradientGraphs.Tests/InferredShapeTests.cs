using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xunit.Abstractions;

namespace GradientGraphs.Tests;

/// <summary>
/// The builder's own shape inference (each rule's InferShapes and ShapeArithmetic's folding of
/// shape values) against the shapes ONNX Runtime actually produces: every tensor of the prepared
/// model (GradientGraphBuilder.Forward) whose shape the builder inferred is made a graph output,
/// and the model runs on a batch of 3 images, for which the symbolic batch stands (the sequence-first
/// attention model, which the builder refuses, at the batch of 1 its export fixed in its Reshapes). Folded shape
/// values (integers and Equal's booleans) are compared with the values ONNX Runtime computes.
/// Every model the torch oracle exports: TorchOracleTests' architectures at opset 17, the
/// sequence-first attention model (shapes up to its refused Transpose), and the dynamic-batch exports.
/// </summary>
[Trait("Category", "Oracle")]
public class InferredShapeTests(ITestOutputHelper output, TorchOracleFixtures oracles) : IClassFixture<TorchOracleFixtures>
{
    /// <summary>The batch a model the builder can differentiate runs at here.</summary>
    private const int AnyBatch = 3;

    public static TheoryData<string, int> Models()
    {
        // Opset 17 only, to keep the oracle suite within CI's time: the check runs every model at batch 3.
        var data = new TheoryData<string, int>();
        foreach (var row in TorchOracleTests.Architectures())
            if ((int)row[1] == 17) data.Add((string)row[0], 17);
        data.Add("vit_tiny_torch_attention", 17);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Inferred_shapes_match_onnx_runtime(string arch, int opset) =>
        Check($"{arch} opset {opset}", oracles.For(arch, "gradient").Model(opset), arch == "vit_tiny_torch_attention" ? 1 : AnyBatch);

    [Theory]
    [InlineData("vit_tiny")]
    [InlineData("vit_b_16")]
    public void Inferred_shapes_of_a_dynamic_batch_export_match_onnx_runtime(string arch) =>
        Check($"{arch} dynamic batch", oracles.DynamicBatchModel(arch), AnyBatch);

    private void Check(string label, string modelFile, long batch)
    {
        var (model, facts) = GradientGraphBuilder.Forward(File.ReadAllBytes(modelFile));
        var graph = model.Graph;
        var image = graph.Input.Single();
        var known = graph.Node.SelectMany(n => n.Output).Where(t => t != "" && facts.HasShape(t)).Distinct().ToList();
        var already = graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var t in known.Where(t => !already.Contains(t))) graph.Output.Add(new ValueInfoProto { Name = t });

        long[] imageShape = [batch, .. image.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
        var pixels = new float[imageShape.Aggregate(1L, (a, b) => a * b)];
        var random = new Random(7);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)(random.NextDouble() * 2 - 1);

        using var options = new SessionOptions { IntraOpNumThreads = 2, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, imageShape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new Dictionary<string, OrtValue> { [image.Name] = input }, known);

        long Concrete(long d) => d == Shapes.Batch ? batch : d;
        var wrong = new List<string>();
        int values = 0;
        for (int i = 0; i < known.Count; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            var ours = facts.Shape(known[i]).Select(Concrete).ToArray();
            if (!ours.SequenceEqual(info.Shape))
            {
                wrong.Add($"{known[i]}: ours {Shapes.Show(facts.Shape(known[i]))}, ONNX Runtime [{string.Join(",", info.Shape)}]");
                continue;
            }
            if (facts.Constant(known[i]) is not { } folded || FoldedValues(results[i], info.ElementDataType) is not { } actual) continue;
            values++;
            var expected = GradientGraphs.Onnx.Tensors.ToLongs(folded).Select(Concrete).ToArray();
            if (!expected.SequenceEqual(actual))
                wrong.Add($"{known[i]}: folded [{string.Join(",", expected)}], ONNX Runtime [{string.Join(",", actual)}]");
        }
        output.WriteLine($"{label} at batch {batch}: {known.Count} tensors with inferred shapes, {values} folded values; {wrong.Count} differ from ONNX Runtime");
        Assert.True(known.Count > 0, $"{label}: no shape was inferred");
        Assert.True(wrong.Count == 0, $"{label}: {wrong.Count} of {known.Count} differ: {string.Join("; ", wrong.Take(10))}");
    }

    /// <summary>An integer or boolean tensor's values as integers; null for floats, whose values are not folded.</summary>
    private static long[]? FoldedValues(OrtValue value, TensorElementType type) => type switch
    {
        TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
        TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray().Select(v => (long)v).ToArray(),
        TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1L : 0L).ToArray(),
        _ => null,
    };
}
