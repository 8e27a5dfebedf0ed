using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Tests;

/// <summary>
/// Folding where the batch takes part, against hand-computed values: Equal answers only what holds
/// for every batch size (a batch of at least one image), and a Reshape of folded values keeps them.
/// </summary>
public class ShapeArithmeticTests
{
    private static ForwardFacts Facts(params (string Name, long[] Values)[] vectors)
    {
        var facts = new ForwardFacts();
        foreach (var (name, values) in vectors) facts.SetConstant(name, Tensors.Int64Tensor(name, [values.Length], values));
        return facts;
    }

    private static NodeProto Node(string op, params string[] inputs) => new() { OpType = op, Name = op, Input = { inputs }, Output = { "y" } };

    [Fact]
    public void Equal_of_the_batch_with_itself_and_with_numbers_below_one()
    {
        var facts = Facts(("a", [Shapes.Batch, 1, -1, Shapes.Batch]), ("b", [-1, -1, -1, Shapes.Batch]));
        Assert.True(ShapeArithmetic.TryFold(Node("Equal", "a", "b"), facts));
        Assert.Equal([0L, 0, 1, 1], Tensors.ToLongs(facts.Constant("y")!));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(3L)]
    public void Equal_of_the_batch_with_a_possible_batch_size_is_not_folded(long size)
    {
        var facts = Facts(("a", [Shapes.Batch]), ("b", [size]));
        Assert.False(ShapeArithmetic.TryFold(Node("Equal", "a", "b"), facts));
        Assert.False(facts.HasShape("y"));
    }

    [Fact]
    public void Arithmetic_on_the_batch_is_not_folded()
    {
        var facts = Facts(("a", [Shapes.Batch, 2]), ("b", [-1, -1]));
        Assert.False(ShapeArithmetic.TryFold(Node("Mul", "a", "b"), facts));
    }

    [Fact]
    public void Reshape_of_folded_values_keeps_them_with_the_target_dims()
    {
        var facts = Facts(("a", [Shapes.Batch, 1, -1]), ("target", [-1]));
        Assert.True(ShapeArithmetic.TryFold(Node("Reshape", "a", "target"), facts));
        Assert.Equal([Shapes.Batch, 1L, -1], Tensors.ToLongs(facts.Constant("y")!));
        Assert.Equal([3L], facts.Shape("y"));

        var toMatrix = Facts(("a", [4, 5, 6, 7, 8, 9]), ("target", [0, 3]));
        Assert.False(ShapeArithmetic.TryFold(Node("Reshape", "a", "target"), toMatrix), "0 copies the input's 6: [6, 3] does not hold 6 values");
        var toRows = Facts(("a", [4, 5, 6, 7, 8, 9]), ("target", [2, -1]));
        Assert.True(ShapeArithmetic.TryFold(Node("Reshape", "a", "target"), toRows));
        Assert.Equal([2L, 3], toRows.Shape("y"));
    }
}
