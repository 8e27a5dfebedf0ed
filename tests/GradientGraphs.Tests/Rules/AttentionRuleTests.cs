using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>
/// The ops of a vision transformer against finite differences: MatMul of two activations,
/// Softmax inside the network, Gather of the class token, Expand, and the class token as torch
/// exports it at batch 1 (ConstantOfShape, Equal, Where, Expand, then Concat with the patches).
/// </summary>
public class AttentionRuleTests
{
    [Fact]
    public void MatMul_of_two_activations()
    {
        // Two heads of three tokens of width 4: Q K^T, both factors from the image.
        var g = new TinyGraph([1, 2, 3, 4]);
        var q = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var k = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var scores = g.Op("MatMul", [q, g.Op("Transpose", [k], n => n.Set("perm", [0L, 1, 3, 2]))]);
        FiniteDifferences.Check(g.Finish(scores), [1, 2, 3, 4], ["MatMul", "Transpose"]);
    }

    [Fact]
    public void MatMul_of_an_activation_with_itself()
    {
        // X X^T: the same tensor reaches both factors, so the two gradients add up.
        var g = new TinyGraph([1, 3, 4]);
        var gram = g.Op("MatMul", [g.X, g.Op("Transpose", [g.X], n => n.Set("perm", [0L, 2, 1]))]);
        FiniteDifferences.Check(g.Finish(gram), [1, 3, 4], ["MatMul"]);
    }

    [Theory]
    [InlineData(-1L)]   // attention: over the keys
    [InlineData(2L)]    // over another axis
    [InlineData(1L)]
    public void Softmax_inside_the_network(long axis)
    {
        var g = new TinyGraph([1, 2, 3, 4]);
        var y = g.Op("Softmax", [g.Op("Mul", [g.X, g.Constant([], [3f])])], n => n.Set("axis", axis));
        // A weight matrix after it, so the Softmax does not end the graph.
        FiniteDifferences.Check(g.Finish(g.Op("MatMul", [y, g.Weights(4, 5)])), [1, 2, 3, 4], ["Softmax"]);
    }

    [Fact]
    public void Attention_head()
    {
        var g = new TinyGraph([1, 2, 3, 4]);
        var q = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var k = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var v = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var scores = g.Op("Mul", [g.Op("MatMul", [q, g.Op("Transpose", [k], n => n.Set("perm", [0L, 1, 3, 2]))]), g.Constant([], [0.5f])]);
        var attention = g.Op("Softmax", [scores], n => n.Set("axis", -1L));
        FiniteDifferences.Check(g.Finish(g.Op("MatMul", [attention, v])), [1, 2, 3, 4], ["MatMul", "Softmax"]);
    }

    public static TheoryData<long[], long[], long> GatherCases() => new()
    {
        { [], [0], 1 },                 // the class token: x[:, 0]
        { [2, 2], [3, -1, 0, 3], 1 },   // a 2-D index with a repeat and a negative index
        { [2], [3, 0], 2 },             // along the last axis
    };

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void Gather_with_constant_indices(long[] indexDims, long[] indices, long axis)
    {
        var g = new TinyGraph([1, 5, 4]);
        var mixed = g.Op("MatMul", [g.X, g.Weights(4, 4)]);
        var y = g.Op("Gather", [mixed, g.IntTensor(indexDims, indices)], n => n.Set("axis", axis));
        FiniteDifferences.Check(g.Finish(y), [1, 5, 4], ["Gather"]);
    }

    [Theory]
    [InlineData(new long[] { 1, 3, 4 })]
    [InlineData(new long[] { 3, 1 })]   // a target of lower rank broadcasts from the right
    public void Expand_of_an_activation(long[] target)
    {
        var g = new TinyGraph([1, 1, 4]);
        var y = g.Op("Expand", [g.X, g.Ints(target)]);
        // Weigh the copies differently, so each one's gradient counts.
        FiniteDifferences.Check(g.Finish(g.Op("Mul", [y, g.Weights(3, 4)])), [1, 1, 4], ["Expand"]);
    }

    [Fact]
    public void Class_token_exported_at_batch_1_runs_at_any_batch()
    {
        // torch's token.expand(n, -1, -1) with n = 1 traced: Where(Equal([1,-1,-1], -1s), 1s, [1,-1,-1]).
        // The builder expands the token to the run's batch (2 images here) before the Concat.
        var g = new TinyGraph([1, 3, 4]);
        var shape = g.Ints(1, -1, -1);
        var ones = g.Op("ConstantOfShape", [g.Ints(3)], n => n.Set("value", Tensors.Int64Tensor("", [1], [1])));
        var minusOnes = g.Op("Mul", [ones, g.IntTensor([], -1)]);
        var target = g.Op("Where", [g.Op("Equal", [shape, minusOnes]), ones, shape]);
        var token = g.Op("Expand", [g.Weights(1, 1, 4), target]);
        var tokens = g.Op("Add", [g.Op("Concat", [token, g.X], n => n.Set("axis", 1L)), g.Weights(1, 4, 4)]);
        // One attention step mixes the patches into the class token, which the head reads.
        var q = g.Op("MatMul", [tokens, g.Weights(4, 4)]);
        var k = g.Op("MatMul", [tokens, g.Weights(4, 4)]);
        var attention = g.Op("Softmax", [g.Op("MatMul", [q, g.Op("Transpose", [k], n => n.Set("perm", [0L, 2, 1]))])], n => n.Set("axis", -1L));
        var mixed = g.Op("Add", [g.Op("MatMul", [attention, tokens]), tokens]);
        var classToken = g.Op("Gather", [mixed, g.IntTensor([], 0)], n => n.Set("axis", 1L));
        FiniteDifferences.Check(g.Finish(g.Op("MatMul", [classToken, g.Weights(4, 6)])), [1, 3, 4], ["Concat", "MatMul", "Softmax", "Gather"]);
    }
    [Fact]
    public void Class_token_expanded_to_the_batch_read_from_the_image()
    {
        // torch's token.expand(n, -1, -1) exported with a dynamic batch: n = Shape(image)[0], the
        // target [n, 1, -1] reshaped to a vector, then Where(Equal(target, -1s), 1s, target).
        var g = new TinyGraph([1, 3, 4]);
        var n = g.Op("Unsqueeze", [g.Op("Gather", [g.Op("Shape", [g.X]), g.IntTensor([], 0)], a => a.Set("axis", 0L)), g.Ints(0)]);
        var shape = g.Op("Reshape", [g.Op("Concat", [n, g.Ints(1), g.Ints(-1)], a => a.Set("axis", 0L)), g.Ints(-1)]);
        var ones = g.Op("ConstantOfShape", [g.Op("Shape", [shape])], a => a.Set("value", Tensors.Int64Tensor("", [1], [1])));
        var minusOnes = g.Op("Mul", [ones, g.IntTensor([], -1)]);
        var target = g.Op("Where", [g.Op("Equal", [shape, minusOnes]), ones, shape]);
        var token = g.Op("Expand", [g.Weights(1, 1, 4), target]);
        var tokens = g.Op("Concat", [token, g.Op("Relu", [g.X])], a => a.Set("axis", 1L));
        var mixed = g.Op("MatMul", [g.Op("Transpose", [tokens], a => a.Set("perm", [0L, 2, 1])), g.Weights(4, 3)]);
        FiniteDifferences.Check(g.Finish(g.Op("Flatten", [mixed])), [1, 3, 4], ["Concat", "Relu"]);
    }
}
