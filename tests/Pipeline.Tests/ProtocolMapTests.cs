using OpenCvSharp;
using Pipeline.Outputs;

namespace Pipeline.Tests;

/// <summary>The map as MaxBoxAcc sees it (reference: normalize_scoremap and cv2.resize to 224x224), on maps whose result is worked out by hand.</summary>
public class ProtocolMapTests
{
    private const int S = ProtocolMap.Side;

    [Fact]
    public void Min_max_scales_to_zero_and_one()
        => Assert.Equal([0.0, 0.5, 1.0, 0.25], ProtocolMap.MinMax([2.0, 4.0, 6.0, 3.0]));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_map_with_a_non_finite_value_becomes_zeros(double bad)
    {
        Assert.Equal(new double[4], ProtocolMap.MinMax([2.0, bad, 6.0, 3.0]));
        var map = Enumerable.Range(0, 6).Select(i => (double)i).ToArray();
        map[4] = bad;
        Assert.Equal(new double[S * S], ProtocolMap.Make(map, 2, 3, InterpolationFlags.Nearest));
    }

    [Fact]
    public void A_constant_map_becomes_zeros_at_any_size()
    {
        Assert.Equal(new double[3], ProtocolMap.MinMax([0.7, 0.7, 0.7]));
        Assert.Equal(new double[S * S], ProtocolMap.Make(Enumerable.Repeat(0.7, 6).ToArray(), 2, 3, InterpolationFlags.Linear));
        Assert.Equal(new double[S * S], ProtocolMap.Make(Enumerable.Repeat(0.7, S * S).ToArray(), S, S, InterpolationFlags.Linear));
    }

    [Fact]
    public void A_224_map_is_only_normalised()
    {
        var map = Enumerable.Range(0, S * S).Select(i => 10.0 + 2 * (i % 7)).ToArray();  // 10 .. 22
        Assert.Equal(map.Select(v => (v - 10) / 12).ToArray(), ProtocolMap.Make(map, S, S, InterpolationFlags.Linear));
    }

    [Fact]
    public void A_smaller_map_is_resized_then_normalised()
    {
        // 2x2 map [[0, 1], [2, 3]], nearest neighbour: four 112x112 quadrants of 0, 1/3, 2/3, 1.
        var four = ProtocolMap.Make([0.0, 1.0, 2.0, 3.0], 2, 2, InterpolationFlags.Nearest);
        Assert.Equal(S * S, four.Length);
        for (int y = 0; y < S; y += 37)
        for (int x = 0; x < S; x += 37)
            Assert.Equal((2 * (y / 112) + x / 112) / 3.0, four[y * S + x], 12);
        // 224 rows of 112 columns, value = column: each column doubled, column c of the result is c / 2, over 111.
        var wide = ProtocolMap.Make(Enumerable.Range(0, S * 112).Select(i => (double)(i % 112)).ToArray(), S, 112, InterpolationFlags.Nearest);
        Assert.Equal(S * S, wide.Length);
        for (int x = 0; x < S; x++) Assert.Equal((x / 2) / 111.0, wide[5 * S + x], 12);
        // 112 rows of 224 columns, value = row: each row doubled.
        var tall = ProtocolMap.Make(Enumerable.Range(0, 112 * S).Select(i => (double)(i / S)).ToArray(), 112, S, InterpolationFlags.Nearest);
        Assert.Equal(S * S, tall.Length);
        for (int y = 0; y < S; y++) Assert.Equal((y / 2) / 111.0, tall[y * S + 5], 12);
    }
}
