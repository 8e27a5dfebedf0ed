using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>
/// Forms an op rule cannot differentiate are refused before anything is built, the node named with a reason
/// (ARCHITECTURE.md, "Where a new op rule goes"), and the neighbouring form that it can differentiate is built.
/// </summary>
public class RuleRefusalTests
{
    private static readonly long[] Shape = [1, 2, 3, 3];

    /// <summary>A model whose score is the op under test (then a Flatten), fed by the image x.</summary>
    private static byte[] Model(Func<TinyGraph, string> op)
    {
        var g = new TinyGraph(Shape);
        return g.Finish(g.Op("Flatten", [op(g)]));
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "Gemm", "transA=1" },
        { "Gemm", "both factors from the image" },
        { "MatMul", "a 3-D weight tensor" },
        { "Conv", "weights from the image" },
        { "BatchNormalization", "training_mode=1" },
        { "BatchNormalization", "running statistics as outputs" },
        { "LayerNormalization", "over the batch axis" },
        { "LayerNormalization", "scale from the image" },
        { "ReduceMean", "over the batch axis" },
        { "ReduceMean", "over every axis" },
        { "Clip", "lower bound from the image" },
        { "AveragePool", "dilations 2" },
        { "Pow", "exponent from the image" },
        { "Concat", "along the batch axis" },
        { "Split", "along the batch axis" },
        { "Transpose", "moving the batch axis" },
        { "Pad", "padding the batch axis" },
        { "Pad", "reflect mode" },
        { "Pad", "padding value from the image" },
        { "Flatten", "axis 0" },
        { "Slice", "the batch axis" },
        { "Slice", "step 2" },
        { "Dropout", "training mode" },
    };

    private static string Build(TinyGraph g, string op, string form)
    {
        var x = g.X;
        string Flat() => g.Op("Flatten", [x]);
        return (op, form) switch
        {
            ("Gemm", "transA=1") => g.Op("Gemm", [Flat(), g.Weights(1, 5)], n => n.Set("transA", 1L)),
            ("Gemm", "transA=0") => g.Op("Gemm", [Flat(), g.Weights(18, 5)]),
            // [N, 1] times [N, 18]: a valid product at batch 1 whose right factor carries the batch.
            ("Gemm", "both factors from the image") => g.Op("Gemm", [g.Op("ReduceMean", [Flat()], n => n.Set("axes", [1L])), Flat()]),
            ("MatMul", "a 3-D weight tensor") => g.Op("MatMul", [x, g.Weights(2, 3, 4)]),
            ("MatMul", "two activations") => g.Op("MatMul", [x, x]),
            ("MatMul", "a weight matrix") => g.Op("MatMul", [x, g.Weights(3, 4)]),
            ("Conv", "weights from the image") => g.Op("Conv", [x, x]),
            ("BatchNormalization", "training_mode=1") => g.Op("BatchNormalization", BatchNormInputs(g), n => n.Set("training_mode", 1L)),
            ("BatchNormalization", "running statistics as outputs") => g.Node("BatchNormalization", BatchNormInputs(g), 3)[0],
            ("BatchNormalization", "inference") => g.Op("BatchNormalization", BatchNormInputs(g)),
            ("LayerNormalization", "over the batch axis") => g.Op("LayerNormalization", [x, g.Weights(Shape)], n => n.Set("axis", 0L)),
            ("LayerNormalization", "scale from the image") => g.Op("LayerNormalization", [x, g.Op("Relu", [x])], n => n.Set("axis", 1L)),
            ("LayerNormalization", "over the last axes") => g.Op("LayerNormalization", [x, g.Weights(2, 3, 3)], n => n.Set("axis", 1L)),
            ("ReduceMean", "over the batch axis") => g.Op("ReduceMean", [x], n => n.Set("axes", [0L, 1])),
            ("ReduceMean", "over every axis") => g.Op("ReduceMean", [x]),
            ("ReduceMean", "over the channels") => g.Op("ReduceMean", [x], n => n.Set("axes", [1L])),
            ("Clip", "lower bound from the image") => g.Op("Clip", [x, g.Op("ReduceMean", [x], n => { n.Set("axes", [1L, 2, 3]); n.Set("keepdims", 0L); })]),
            ("Clip", "constant bounds") => g.Op("Clip", [x, g.Constant([], [0.1f]), g.Constant([], [0.5f])]),
            ("AveragePool", "dilations 2") => g.Op("AveragePool", [x], n => { n.Set("kernel_shape", [2L, 2]); n.Set("dilations", [2L, 2]); }),
            ("AveragePool", "dilations 1") => g.Op("AveragePool", [x], n => { n.Set("kernel_shape", [2L, 2]); n.Set("dilations", [1L, 1]); }),
            ("Pow", "exponent from the image") => g.Op("Pow", [x, x]),
            ("Pow", "constant exponent") => g.Op("Pow", [x, g.Constant([], [2f])]),
            ("Concat", "along the batch axis") => g.Op("Concat", [x, x], n => n.Set("axis", 0L)),
            ("Concat", "along the channels") => g.Op("Concat", [x, x], n => n.Set("axis", 1L)),
            ("Split", "along the batch axis") => g.Node("Split", [g.Op("Concat", [x, x], n => n.Set("axis", 1L))], 2, n => n.Set("axis", 0L))[0],
            ("Transpose", "moving the batch axis") => g.Op("Transpose", [x], n => n.Set("perm", [1L, 0, 2, 3])),
            ("Transpose", "keeping the batch axis") => g.Op("Transpose", [x], n => n.Set("perm", [0L, 2, 3, 1])),
            ("Pad", "padding the batch axis") => g.Op("Pad", [x, g.Ints(1, 0, 0, 0, 0, 0, 0, 0)]),
            ("Pad", "reflect mode") => g.Op("Pad", [x, g.Ints(0, 0, 1, 1, 0, 0, 1, 1)], n => n.Set("mode", "reflect")),
            ("Pad", "padding value from the image") => g.Op("Pad", [x, g.Ints(0, 0, 1, 1, 0, 0, 1, 1), g.Op("ReduceMean", [x], n => n.Set("axes", [1L, 2, 3]))]),
            ("Pad", "constant mode") => g.Op("Pad", [x, g.Ints(0, 0, 1, 1, 0, 0, 1, 1)]),
            ("Flatten", "axis 0") => g.Op("Flatten", [x], n => n.Set("axis", 0L)),
            ("Slice", "the batch axis") => g.Op("Slice", [x, g.Ints(0), g.Ints(1), g.Ints(0)]),
            ("Slice", "step 2") => g.Op("Slice", [x, g.Ints(0), g.Ints(3), g.Ints(2), g.Ints(2)]),
            ("Slice", "step 1") => g.Op("Slice", [x, g.Ints(0), g.Ints(3), g.Ints(2), g.Ints(1)]),
            ("Dropout", "training mode") => g.Op("Dropout", [x, g.Constant([], [0.5f]), g.Bools(true)]),
            ("Dropout", "inference") => g.Op("Dropout", [x, g.Constant([], [0.5f]), g.Bools(false)]),
            _ => throw new ArgumentException($"{op} {form}"),
        };
    }

    private static string[] BatchNormInputs(TinyGraph g) =>
        [g.X, g.Weights(2), g.Weights(2), g.Weights(2), g.Constant([2], [0.5f, 1.5f])];

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_form_the_rule_cannot_differentiate_is_refused_naming_the_node(string op, string form)
    {
        var model = Model(g => Build(g, op, form));
        var error = Assert.Throws<UnsupportedOpsException>(() => GradientGraphBuilder.Build(model, new BuildOptions()));
        var problem = Assert.Single(error.Problems, p => p.OpType == op);
        Assert.StartsWith(op + "_", problem.Node);
        Assert.False(string.IsNullOrWhiteSpace(problem.Reason), "a refusal gives its reason");
    }

    [Theory]
    [InlineData("Gemm", "transA=0")]
    [InlineData("MatMul", "a weight matrix")]
    [InlineData("MatMul", "two activations")]
    [InlineData("BatchNormalization", "inference")]
    [InlineData("LayerNormalization", "over the last axes")]
    [InlineData("ReduceMean", "over the channels")]
    [InlineData("Clip", "constant bounds")]
    [InlineData("AveragePool", "dilations 1")]
    [InlineData("Pow", "constant exponent")]
    [InlineData("Concat", "along the channels")]
    [InlineData("Transpose", "keeping the batch axis")]
    [InlineData("Pad", "constant mode")]
    [InlineData("Slice", "step 1")]
    [InlineData("Dropout", "inference")]
    public void The_neighbouring_form_is_built(string op, string form)
    {
        var model = GradientGraphBuilder.Build(Model(g => Build(g, op, form)), new BuildOptions());
        Assert.Contains(model.Graph.Output, o => o.Name == "input_grad");
    }

    /// <summary>
    /// An input that depends on the image but that the rule does not differentiate (Pad's value) is
    /// refused before anything is emitted, naming the input, not found missing while the backward is written.
    /// </summary>
    [Fact]
    public void An_image_dependent_input_the_rule_does_not_differentiate_is_named()
    {
        var model = Model(g => Build(g, "Pad", "padding value from the image"));
        var error = Assert.Throws<UnsupportedOpsException>(() => GradientGraphBuilder.Build(model, new BuildOptions()));
        var problem = Assert.Single(error.Problems);
        Assert.Equal("Pad", problem.OpType);
        Assert.StartsWith("its input 2 (", problem.Reason);
        Assert.EndsWith("the rule differentiates input 0 only", problem.Reason);
    }
}
