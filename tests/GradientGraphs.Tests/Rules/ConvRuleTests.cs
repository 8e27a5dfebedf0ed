using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Conv's backward (ConvTranspose) against finite differences over its attribute space.</summary>
public class ConvRuleTests
{
    [Theory]
    [InlineData(3, 1, "1,1,1,1", "NOTSET", 1, 1)]   // same-size 3x3
    [InlineData(3, 2, "0,0,1,1", "NOTSET", 1, 1)]   // stride 2, asymmetric pads (TF-style)
    [InlineData(3, 2, "1,1,1,1", "NOTSET", 1, 1)]   // stride 2, a skipped last row (output_padding)
    [InlineData(5, 3, "2,1,0,2", "NOTSET", 1, 1)]   // stride 3, uneven pads
    [InlineData(3, 1, "0,0,0,0", "NOTSET", 2, 1)]   // dilation 2
    [InlineData(3, 2, "0,0,0,0", "SAME_UPPER", 1, 1)]
    [InlineData(4, 2, "0,0,0,0", "SAME_LOWER", 1, 1)]
    [InlineData(3, 2, "0,0,0,0", "VALID", 1, 1)]
    [InlineData(3, 1, "1,1,1,1", "NOTSET", 1, 2)]   // groups
    [InlineData(3, 2, "1,1,1,1", "NOTSET", 1, 4)]   // depthwise
    [InlineData(1, 1, "0,0,0,0", "NOTSET", 1, 1)]   // pointwise
    [InlineData(1, 2, "0,0,0,0", "NOTSET", 1, 1)]   // pointwise stride 2 (ResNet's downsampling)
    [InlineData(2, 2, "0,0,0,0", "NOTSET", 1, 4)]   // kernel = stride: windows touch, no overlap
    [InlineData(3, 2, "2,2,2,2", "NOTSET", 2, 2)]   // stride 2 and dilation 2
    [InlineData(3, 3, "2,1,2,1", "NOTSET", 2, 1)]   // stride 3, dilation 2
    [InlineData(7, 2, "3,3,3,3", "NOTSET", 1, 1)]   // a ResNet stem
    public void Conv_matches_finite_differences(int kernel, int stride, string pads, string autoPad, int dilation, int groups)
    {
        var g = new TinyGraph([1, 4, 9, 8]);
        var y = g.Op("Conv", [g.X, g.Weights(4, 4 / groups, kernel, kernel), g.Weights(4)], n =>
        {
            n.Set("kernel_shape", [kernel, (long)kernel]);
            n.Set("strides", [stride, (long)stride]);
            n.Set("dilations", [dilation, (long)dilation]);
            n.Set("group", (long)groups);
            if (autoPad == "NOTSET") n.Set("pads", pads.Split(',').Select(long.Parse));
            else n.Set("auto_pad", autoPad);
        });
        FiniteDifferences.Check(g.Finish(y), [1, 4, 9, 8], ["Conv"]);
    }

    [Fact]
    public void Conv_1d_matches_finite_differences()
    {
        var g = new TinyGraph([1, 3, 11]);
        var y = g.Op("Conv", [g.X, g.Weights(2, 3, 3)], n => { n.Set("strides", [2L]); n.Set("pads", [1L, 0L]); });
        FiniteDifferences.Check(g.Finish(y), [1, 3, 11], ["Conv"]);
    }

    [Theory]
    [InlineData(3, "1,2", "1,1,1,1", "1,1")]   // stride 1 along one axis only: not the stride-1 shortcut
    [InlineData(3, "2,2", "1,1,1,1", "2,2")]   // stride and dilation: ConvTranspose with dilations
    [InlineData(3, "1,1", "1,1,0,0", "1,1")]   // stride 1, pads at the start only
    [InlineData(3, "1,1", "0,1,2,0", "1,1")]   // stride 1, pads wider at the end than the window's reach
    [InlineData(1, "1,1", "1,1,1,1", "1,1")]   // pads around a 1x1 kernel: the shortcut's pads would be negative
    [InlineData(1, "1,1", "1,0,0,0", "1,1")]   // one pad row above a 1x1 kernel: one of the shortcut's pads would be negative
    [InlineData(3, "1,1", "1,0,1,0", "2,1")]   // dilation along one axis
    public void Conv_through_a_head_reading_every_position_matches_finite_differences(int kernel, string strides, string pads, string dilations)
    {
        // Every output position reaches every class through the head, so each window of the backward is checked.
        long[] shape = [1, 4, 9, 8];
        var g = new TinyGraph(shape);
        var y = g.Op("Conv", [g.X, g.Weights(4, 4, kernel, kernel), g.Weights(4)], n =>
        {
            n.Set("kernel_shape", [kernel, (long)kernel]);
            n.Set("strides", strides.Split(',').Select(long.Parse));
            n.Set("pads", pads.Split(',').Select(long.Parse));
            n.Set("dilations", dilations.Split(',').Select(long.Parse));
        });
        FiniteDifferences.Check(g.Finish(g.Head(y, 4)), shape, ["Conv"]);
    }
}
