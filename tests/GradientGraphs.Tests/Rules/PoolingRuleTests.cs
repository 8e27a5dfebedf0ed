using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Pooling and reductions against finite differences: pads, ceil_mode, overlapping windows.</summary>
public class PoolingRuleTests
{
    private static string Mixed(TinyGraph g) =>
        g.Op("Conv", [g.X, g.Weights(3, 3, 3, 3)], n => n.Set("pads", [1L, 1, 1, 1]));

    [Theory]
    [InlineData(2, 2, "0,0,0,0", 0, 1)]   // Tiny Darknet's 2x2/2
    [InlineData(3, 2, "0,0,0,0", 0, 1)]   // overlapping (AlexNet style)
    [InlineData(3, 2, "1,1,1,1", 0, 1)]   // ResNet stem
    [InlineData(3, 2, "1,1,0,0", 0, 1)]   // asymmetric pads
    [InlineData(3, 2, "0,0,0,0", 1, 1)]   // ceil_mode (GoogLeNet, SqueezeNet)
    [InlineData(2, 1, "0,0,1,1", 0, 1)]   // stride 1 with end pad (Darknet's last pool)
    [InlineData(2, 1, "0,0,0,0", 0, 2)]   // dilation
    [InlineData(2, 2, "1,1,1,1", 1, 1)]   // ceil_mode: along the 9 rows a sixth window would start in the end padding and is dropped
    public void MaxPool_matches_finite_differences(int kernel, int stride, string pads, int ceil, int dilation)
    {
        var g = new TinyGraph([1, 3, 9, 10]);
        var y = g.Op("MaxPool", [Mixed(g)], n =>
        {
            n.Set("kernel_shape", [kernel, (long)kernel]);
            n.Set("strides", [stride, (long)stride]);
            n.Set("pads", pads.Split(',').Select(long.Parse));
            n.Set("ceil_mode", (long)ceil);
            if (dilation != 1) n.Set("dilations", [dilation, (long)dilation]);
        });
        FiniteDifferences.Check(g.Finish(y), [1, 3, 9, 10], ["MaxPool"]);
    }

    [Fact]
    public void GoogLeNet_pooling_after_concatenation_matches_finite_differences()
    {
        // GoogLeNet's geometry: the stage pool 3x3/2 with ceil_mode on a concatenation (the last
        // window overhangs the even input), then an inception pool branch 3x3/1 pad 1 ceil_mode
        // beside a 1x1 Conv, concatenated again. Ruling out a rule bug behind GoogLeNet's
        // difference from torch (TorchOracleTests.GoogLeNet_differs_from_torch_float64_by_rounding_only).
        // Weights of seed 2: with seed 1 two values of one 3x3/2 window lie within the finite
        // difference step of each other (ceil_mode or not), where no derivative exists to compare.
        var g = new TinyGraph([1, 3, 8, 8], seed: 2);
        var a = g.Op("Relu", [Mixed(g)]);
        var b = g.Op("Relu", [g.Op("Conv", [g.X, g.Weights(2, 3, 1, 1)])]);
        var joined = g.Op("Concat", [a, b], n => n.Set("axis", 1L));
        var stage = g.Op("MaxPool", [joined], n => { n.Set("kernel_shape", [3L, 3]); n.Set("strides", [2L, 2]); n.Set("ceil_mode", 1L); });
        var branch = g.Op("MaxPool", [stage], n => { n.Set("kernel_shape", [3L, 3]); n.Set("pads", [1L, 1, 1, 1]); n.Set("ceil_mode", 1L); });
        var inception = g.Op("Concat", [g.Op("Conv", [stage, g.Weights(2, 5, 1, 1)]), branch], n => n.Set("axis", 1L));
        FiniteDifferences.Check(g.Finish(g.Op("Conv", [inception, g.Weights(2, 7, 2, 2)])), [1, 3, 8, 8], ["Concat", "MaxPool"]);
    }

    [Fact]
    public void MaxPool_same_upper_matches_finite_differences()
    {
        var g = new TinyGraph([1, 3, 7, 7]);
        var y = g.Op("MaxPool", [Mixed(g)], n => { n.Set("kernel_shape", [3L, 3]); n.Set("strides", [2L, 2]); n.Set("auto_pad", "SAME_UPPER"); });
        FiniteDifferences.Check(g.Finish(y), [1, 3, 7, 7], ["MaxPool"]);
    }

    [Theory]
    [InlineData(3, 1, "1,1,1,1", 1, 0)]   // Inception's 3x3/1 pad 1, padding counted
    [InlineData(3, 1, "1,1,1,1", 0, 0)]   // padding not counted
    [InlineData(2, 2, "0,0,0,0", 0, 0)]   // DenseNet transition
    [InlineData(3, 2, "1,0,1,0", 0, 1)]   // ceil_mode with overhanging windows
    [InlineData(3, 2, "1,1,1,1", 1, 1)]   // ceil_mode, padding counted
    [InlineData(7, 1, "0,0,0,0", 0, 0)]   // the CNTK ResNet head: the whole plane
    [InlineData(2, 2, "1,1,1,1", 1, 1)]   // ceil_mode: along the 7 rows a fifth window would start in the end padding and is dropped
    public void AveragePool_matches_finite_differences(int kernel, int stride, string pads, int countIncludePad, int ceil)
    {
        var g = new TinyGraph([1, 3, 7, 8]);
        var y = g.Op("AveragePool", [Mixed(g)], n =>
        {
            n.Set("kernel_shape", [kernel, (long)Math.Min(kernel, 8)]);
            n.Set("strides", [stride, (long)stride]);
            n.Set("pads", pads.Split(',').Select(long.Parse));
            n.Set("count_include_pad", (long)countIncludePad);
            n.Set("ceil_mode", (long)ceil);
        });
        FiniteDifferences.Check(g.Finish(y), [1, 3, 7, 8], ["AveragePool"]);
    }

    [Fact]
    public void GlobalAveragePool_matches_finite_differences()
    {
        var g = new TinyGraph([1, 3, 5, 6]);
        FiniteDifferences.Check(g.Finish(g.Op("GlobalAveragePool", [Mixed(g)])), [1, 3, 5, 6], ["GlobalAveragePool"]);
    }

    [Theory]
    [InlineData("ReduceMean", 1)]
    [InlineData("ReduceMean", 0)]
    [InlineData("ReduceSum", 0)]
    public void Reduce_over_spatial_axes_matches_finite_differences(string op, int keepDims)
    {
        var g = new TinyGraph([1, 3, 4, 5]);
        var y = op == "ReduceMean"
            ? g.Op(op, [Mixed(g)], n => { n.Set("axes", [2L, 3]); n.Set("keepdims", (long)keepDims); })
            : g.Op(op, [Mixed(g), g.Ints(2, 3)], n => n.Set("keepdims", (long)keepDims));
        FiniteDifferences.Check(g.Finish(y), [1, 3, 4, 5], [op]);
    }

    [Theory]
    [InlineData(0)]   // row-major indices: the rule scatters onto them
    [InlineData(1)]   // column-major indices: the rule pools again for row-major ones
    public void MaxPool_with_its_indices_output_matches_finite_differences(int storageOrder)
    {
        long[] shape = [1, 3, 9, 10];
        var g = new TinyGraph(shape);
        var y = g.Node("MaxPool", [Mixed(g)], 2, n =>
        {
            n.Set("kernel_shape", [3L, 3]);
            n.Set("strides", [2L, 2]);
            n.Set("storage_order", (long)storageOrder);
        })[0];
        FiniteDifferences.Check(g.Finish(y), shape, ["MaxPool"]);
    }

    [Fact]
    public void ReduceMean_without_kept_dimensions_feeds_a_classifier()
    {
        // Global pooling as TensorFlow exports it: ReduceMean over H and W with keepdims 0, then a Gemm on [N, C].
        long[] shape = [1, 3, 4, 5];
        var g = new TinyGraph(shape);
        var pooled = g.Op("ReduceMean", [Mixed(g)], n => { n.Set("axes", [2L, 3]); n.Set("keepdims", 0L); });
        FiniteDifferences.Check(g.Finish(g.Op("Gemm", [pooled, g.Weights(3, 4)])), shape, ["ReduceMean", "Gemm"]);
    }

    [Theory]
    [InlineData(3, 1, "1,1,1,1", 1, 0)]   // padding counted
    [InlineData(3, 1, "1,1,1,1", 0, 0)]   // padding not counted: border windows average fewer taps
    [InlineData(3, 2, "1,0,1,0", 0, 1)]   // ceil_mode with overhanging windows
    [InlineData(3, 2, "1,1,1,1", 1, 1)]   // ceil_mode, padding counted
    [InlineData(2, 2, "1,1,1,1", 0, 1)]   // ceil_mode: along the 7 rows a fifth window would start in the end padding and is dropped
    public void AveragePool_through_a_head_reading_every_position_matches_finite_differences_at_every_window(int kernel, int stride, string pads, int countIncludePad, int ceil)
    {
        // With the pool as the output each class is one pooled value (one window); through a head that reads every position, every window counts.
        long[] shape = [1, 3, 7, 8];
        var g = new TinyGraph(shape);
        var y = g.Op("AveragePool", [Mixed(g)], n =>
        {
            n.Set("kernel_shape", [kernel, (long)kernel]);
            n.Set("strides", [stride, (long)stride]);
            n.Set("pads", pads.Split(',').Select(long.Parse));
            n.Set("count_include_pad", (long)countIncludePad);
            n.Set("ceil_mode", (long)ceil);
        });
        FiniteDifferences.Check(g.Finish(g.Head(y, 3)), shape, ["AveragePool"]);
    }
}
