using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;
using Onnx;

namespace GradientGraphs.Tests;

/// <summary>The gradient-model contract: inputs, outputs, metadata, refusals, legacy opsets.</summary>
public class BuilderContractTests
{
    private static byte[] SmallModel()
    {
        var g = new TinyGraph([1, 2, 4, 4]);
        var y = g.Op("Relu", [g.Op("Conv", [g.X, g.Weights(3, 2, 3, 3)])]);
        return g.Finish(g.Op("Softmax", [g.Op("Flatten", [y])], n => n.Set("axis", 1L)));
    }

    [Fact]
    public void Adds_class_index_and_input_grad_with_symbolic_batch_and_metadata()
    {
        var source = SmallModel();
        var model = GradientGraphBuilder.Build(source, new BuildOptions { Method = AttributionMethod.Guided });
        var inputs = model.Graph.Input.ToDictionary(i => i.Name);
        Assert.Equal(["x", "class_index"], inputs.Keys);
        Assert.Equal("N", inputs["x"].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(Tensors.Int64, inputs["class_index"].Type.TensorType.ElemType);
        var grad = model.Graph.Output.Single(o => o.Name == "input_grad");
        Assert.Equal(["N", "K", "2", "4", "4"], grad.Type.TensorType.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString()));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("guided", metadata["gradient.rule"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(source)), metadata["gradient.source_sha256"]);
        Assert.Equal(GradientModelContract.BuilderVersion, metadata["gradient.builder_version"]);
        Assert.All(model.Graph.Node, n => Assert.Equal("", n.Domain));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType.Contains("Grad"));
    }

    [Fact]
    public void Softmax_output_is_differentiated_at_its_input_the_unnormalised_score()
    {
        // Finite differences of the logits (the Softmax input) agree with input_grad; those of the
        // probabilities would not.
        var g = new TinyGraph([1, 2, 4, 4]);
        var logits = g.Op("Flatten", [g.Op("Conv", [g.X, g.Weights(3, 2, 3, 3)])]);
        var probabilities = g.Op("Softmax", [logits], n => n.Set("axis", 1L));
        FiniteDifferences.Check(g.Finish(probabilities, logits), [1, 2, 4, 4], ["Conv", "Flatten"], scoreOutput: probabilities, scoreTensorOutput: logits);
    }

    [Fact]
    public void Unsupported_ops_are_listed_with_every_node_before_anything_is_built()
    {
        var g = new TinyGraph([1, 2, 4, 4]);
        var a = g.Op("Cos", [g.X]);
        var b = g.Op("Cos", [a]);
        var c = g.Op("Resize", [b, "", g.Constant([4], [1, 1, 2, 2])], n => n.Name = "upsample");
        var offPath = g.Op("Cos", [g.Constant([1], [1f])]);
        var y = g.Op("Add", [c, offPath]);
        var error = Assert.Throws<UnsupportedOpsException>(() => GradientGraphBuilder.Build(g.Finish(y), new BuildOptions()));
        Assert.Equal(["Cos", "Cos", "Resize"], error.Problems.Select(p => p.OpType));
        Assert.Contains("upsample", error.Message);
        Assert.Equal(3, error.Problems.Count);  // the Cos off the path needs no rule
    }

    [Fact]
    public void Score_that_moves_the_batch_is_refused()
    {
        var g = new TinyGraph([1, 2, 4, 4]);
        var y = g.Op("Reshape", [g.X, g.Ints(4, -1)]);
        Assert.Throws<UnsupportedOpsException>(() => GradientGraphBuilder.Build(g.Finish(y), new BuildOptions()));
    }

    [Fact]
    public void Legacy_opset_7_attributes_are_upgraded_and_differentiated_correctly()
    {
        var g = new TinyGraph([1, 2, 5, 5]) { Opset = 7 };
        var conv = g.Op("Conv", [g.X, g.Weights(3, 2, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));
        // Scale and bias chosen so that Clip saturates no channel entirely (a dead class has no gradient to compare).
        var bn = g.Op("BatchNormalization", [conv, g.Constant([3], [0.5f, 0.3f, 0.4f]), g.Constant([3], [0.1f, 0f, 0.2f]), g.Weights(3), g.Constant([3], [0.5f, 1f, 2f])], n => n.Set("spatial", 1L));
        var clip = g.Op("Clip", [bn], n => { n.Set("min", -0.2f); n.Set("max", 0.5f); });
        var padded = g.Op("Pad", [clip], n => n.Set("pads", [0L, 0, 1, 0, 0, 0, 0, 2]));
        var sliced = g.Op("Slice", [padded], n => { n.Set("starts", [1L]); n.Set("ends", [5L]); n.Set("axes", [2L]); });
        var dropped = g.Op("Dropout", [sliced], n => n.Set("ratio", 0.5f));
        var pooled = g.Op("GlobalAveragePool", [dropped]);
        var squeezed = g.Op("Squeeze", [pooled], n => n.Set("axes", [2L, 3]));
        var y = g.Op("Unsqueeze", [squeezed], n => n.Set("axes", [2L]));
        FiniteDifferences.Check(g.Finish(y), [1, 2, 5, 5], ["Conv", "BatchNormalization", "Clip", "Pad", "Slice", "Dropout", "GlobalAveragePool", "Squeeze", "Unsqueeze"]);
    }

    [Fact]
    public void Legacy_softmax_over_a_flattened_tail_is_refused_and_over_a_vector_is_kept()
    {
        // Opset 11 Softmax(axis=1) on [1, 3, 2, 2] meant a softmax over all 12 values; opset 13's
        // means over the 3 channels. On [1, 6] both mean the same.
        var g = new TinyGraph([1, 3, 2, 2]) { Opset = 11 };
        var conv = g.Op("Conv", [g.X, g.Weights(3, 3, 1, 1)]);
        var error = Assert.Throws<UnsupportedOpsException>(() => GradientGraphBuilder.Build(g.Finish(g.Op("Softmax", [conv], n => n.Set("axis", 1L))), new BuildOptions()));
        Assert.Contains("meaning changed", error.Message);

        var flat = new TinyGraph([1, 3, 2, 2]) { Opset = 11 };
        var vector = flat.Op("Flatten", [flat.Op("Conv", [flat.X, flat.Weights(3, 3, 1, 1)])]);
        var probabilities = flat.Op("Softmax", [vector], n => n.Set("axis", 1L));
        FiniteDifferences.Check(flat.Finish(probabilities, vector), [1, 3, 2, 2], ["Conv", "Flatten"], scoreOutput: probabilities, scoreTensorOutput: vector);
    }
}
