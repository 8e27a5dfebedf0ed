using Pipeline.ClassModels;

namespace Pipeline.Tests;

/// <summary>The random transforms of transformation robustness: hand-derived pixel moves, and the adjoint by the dot-product identity.</summary>
public class ImageTransformTests
{
    private const int Side = 7;

    private static float[] Ramp(int channels) => Enumerable.Range(0, channels * Side * Side).Select(i => (float)(i * 0.37 % 5.3)).ToArray();

    [Fact]
    public void The_identity_leaves_the_image_as_it_is()
    {
        var image = Ramp(3);
        Assert.Equal(image, new ImageTransform(Side, 0, 0, 1, 0).Apply(image));
    }

    [Fact]
    public void A_whole_pixel_shift_moves_pixels_and_mirrors_at_the_border()
    {
        var image = Ramp(2);
        var shifted = new ImageTransform(Side, 2, -1, 1, 0).Apply(image);
        // Output (y, x) shows input (y + 1, x - 2); outside, the border mirrors: -1 -> 1, -2 -> 2, Side -> Side - 2.
        int Mirror(int i) => i < 0 ? -i : i >= Side ? 2 * (Side - 1) - i : i;
        for (int c = 0; c < 2; c++)
        for (int y = 0; y < Side; y++)
        for (int x = 0; x < Side; x++)
            Assert.Equal(image[c * Side * Side + Mirror(y + 1) * Side + Mirror(x - 2)], shifted[c * Side * Side + y * Side + x], 5);
    }

    [Fact]
    public void A_quarter_turn_counter_clockwise_moves_the_top_right_corner_to_the_top_left()
    {
        var image = Ramp(1);
        var turned = new ImageTransform(Side, 0, 0, 1, 90).Apply(image);
        // Output row y, column x shows input row x, column Side - 1 - y.
        for (int y = 0; y < Side; y++)
        for (int x = 0; x < Side; x++)
            Assert.Equal(image[x * Side + Side - 1 - y], turned[y * Side + x], 4);
    }

    [Fact]
    public void Doubling_the_scale_shows_the_centre_region_twice_as_large()
    {
        var image = Ramp(1);
        var scaled = new ImageTransform(Side, 0, 0, 2, 0).Apply(image);
        // Output pixel (y, x) samples input (3 + (y - 3) / 2, 3 + (x - 3) / 2) (the centre is 3): whole pixels where y and x are odd.
        for (int y = 1; y < Side; y += 2)
        for (int x = 1; x < Side; x += 2)
            Assert.Equal(image[(3 + (y - 3) / 2) * Side + 3 + (x - 3) / 2], scaled[y * Side + x], 4);
        // Between them, the mean of the two neighbours.
        Assert.Equal((image[2 * Side + 2] + image[2 * Side + 3]) / 2, scaled[1 * Side + 2], 4);
    }

    [Fact]
    public void The_adjoint_satisfies_the_dot_product_identity()
    {
        var random = new Random(4);
        foreach (var transform in new[] { new ImageTransform(Side, 1.3, -2.6, 1.13, 17), ImageTransform.Random(Side, random, 3, 0.2, 30), new ImageTransform(Side, 9, 0, 0.6, -140) })
        {
            var a = Enumerable.Range(0, 3 * Side * Side).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, 3 * Side * Side).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            double left = transform.Apply(a).Zip(b, (x, y) => (double)x * y).Sum();
            double right = a.Zip(transform.ApplyAdjoint(b), (x, y) => (double)x * y).Sum();
            Assert.True(Math.Abs(left - right) < 1e-4 * (1 + Math.Abs(left)), $"<T a, b> {left} vs <a, T' b> {right} for shift ({transform.Dx}, {transform.Dy}), scale {transform.Scale}, {transform.Degrees} degrees");
        }
    }
}
