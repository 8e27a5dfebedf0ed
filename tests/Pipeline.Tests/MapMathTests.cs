using OpenCvSharp;
using Pipeline.Localisation;

namespace Pipeline.Tests;

/// <summary>The map operations the localisers share, on maps whose answer is worked out by hand or by a formula.</summary>
public class MapMathTests
{
    [Fact]
    public void Quantiles_take_the_nearest_rank()
    {
        // 11 values 0..10 in any order: the q-quantile is the value at rank round(q * 10).
        float[] values = [7, 3, 10, 0, 5, 1, 9, 2, 8, 4, 6];
        Assert.Equal([0f, 3f, 5f, 8f, 10f], MapMath.Quantiles(values, 0, 0.3, 0.5, 0.8, 1));
        Assert.Equal(3f, MapMath.Quantile(values, 0.3));
    }

    [Fact]
    public void Bounding_box_of_a_mask_includes_the_first_column_and_row()
    {
        // A 5-wide mask with one pixel at column 0, row 2, and one with pixels at (0, 0) and (4, 1).
        var mask = new bool[15];
        mask[2 * 5] = true;
        Assert.Equal(new Box(0, 2, 0, 2), MapMath.BoundingBox(mask, 5));
        var corners = new bool[10];
        corners[0] = corners[1 * 5 + 4] = true;
        Assert.Equal(new Box(0, 0, 4, 1), MapMath.BoundingBox(corners, 5));
        // Pixels in row 0 only: the box is one row high.
        var top = new bool[15];
        top[1] = top[3] = true;
        Assert.Equal(new Box(1, 0, 3, 0), MapMath.BoundingBox(top, 5));
        Assert.Null(MapMath.BoundingBox(new bool[15], 5));
    }

    [Fact]
    public void Largest_component_is_8_connected_and_empty_masks_have_none()
    {
        // 8x6 mask: a diagonal of 4 pixels (one component with 8-connectivity) and a 3-pixel row elsewhere.
        int w = 8, h = 6;
        var mask = new bool[w * h];
        for (int i = 0; i < 4; i++) mask[i * w + i] = true;
        for (int x = 5; x <= 7; x++) mask[5 * w + x] = true;
        Assert.Equal(new Box(0, 0, 3, 3), MapMath.LargestComponentBox(mask, w, h));
        Assert.Null(MapMath.LargestComponentBox(new bool[w * h], w, h));
    }

    [Fact]
    public void Smoothing_zero_leaves_the_map_as_it_is()
    {
        var map = new float[] { 0, 1, 0, 0, 5, 0 };
        Assert.Equal(map, MapMath.Smooth(map, 3, 2, 0));
    }

    [Fact]
    public void Smoothing_blurs_with_sigma_a_fraction_of_the_shorter_side()
    {
        // An impulse in a 40x20 map, sigma 0.1 * 20 = 2: the Gaussian's peak is 1 / (2 pi sigma^2) and the mass stays 1.
        int w = 40, h = 20;
        var map = new float[w * h];
        map[10 * w + 20] = 1;
        var smooth = MapMath.Smooth(map, w, h, 0.1);
        Assert.Equal(1 / (2 * Math.PI * 4), smooth[10 * w + 20], 5);
        Assert.Equal(1.0, smooth.Sum(v => (double)v), 4);
        // Along the row, exp(-1 / 2) of the peak one sigma away.
        Assert.Equal(Math.Exp(-0.5), smooth[10 * w + 22] / smooth[10 * w + 20], 3);
    }

    [Fact]
    public void Downscale_brings_the_longer_side_to_the_limit_and_averages_the_map()
    {
        // 640x480, left half of the map 1: at most 320 gives 320x240 with the left 160 columns 1.
        int w = 640, h = 480;
        using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.All(9));
        var map = Enumerable.Range(0, w * h).Select(i => i % w < 320 ? 1f : 0f).ToArray();
        var (small, smallMap, sw, sh) = MapMath.Downscale(image, map, 320);
        using (small)
        {
            Assert.Equal((320, 240), (sw, sh));
            Assert.Equal((320, 240), (small.Width, small.Height));
            Assert.Equal(320 * 240, smallMap.Length);
            Assert.All(Enumerable.Range(0, smallMap.Length), i => Assert.Equal(i % 320 < 160 ? 1f : 0f, smallMap[i]));
        }
        // Already within the limit: unchanged.
        var (same, sameMap, w2, h2) = MapMath.Downscale(image, map, 640);
        using (same) Assert.Equal((640, 480, 640, 480), (same.Width, same.Height, w2, h2));
        Assert.Equal(map, sameMap);
    }
}
