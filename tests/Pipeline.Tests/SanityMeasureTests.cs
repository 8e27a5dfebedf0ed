using System.Globalization;
using Pipeline.Sanity;

namespace Pipeline.Tests;

/// <summary>The sanity check's measures against NumPy written from their definitions, and hand-worked cases.</summary>
public class SanityMeasureTests
{
    private static float[] RandomMap(int side, int seed, int levels = 0)
    {
        var random = new Random(seed);
        // A smooth bump plus noise, as a saliency map has structure; levels > 0 rounds it, making ties.
        return Enumerable.Range(0, side * side).Select(i =>
        {
            double x = i % side - side / 2.0, y = i / side - side / 3.0;
            double v = Math.Exp(-(x * x + y * y) / (side * 2.0)) + 0.3 * random.NextDouble();
            return (float)(levels > 0 ? Math.Round(v * levels) / levels : v);
        }).ToArray();
    }

    private static string Numbers(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static string WriteMaps(float[] a, float[] b)
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, [Numbers(a), Numbers(b)]);
        return file;
    }

    [Fact]
    public void Spearman_of_hand_worked_cases()
    {
        Assert.Equal(-1, MapSimilarity.Spearman([1, 2, 3], [3, 2, 1]), 12);
        // Ranks (1, 2, 3, 4) against (1, 2.5, 2.5, 4): deviations from 2.5 are (-1.5, -0.5, 0.5, 1.5) and
        // (-1.5, 0, 0, 1.5), so Pearson of the ranks is 4.5 / sqrt(5 * 4.5) = 0.9486833.
        Assert.Equal(4.5 / Math.Sqrt(5 * 4.5), MapSimilarity.Spearman([1, 2, 3, 4], [10, 20, 20, 40]), 9);
        // Absolute values: a map and its negative rank alike.
        Assert.Equal(1, MapSimilarity.SpearmanAbsolute([1, -2, 3, -4], [-1, 2, -3, 4]), 12);
        Assert.Equal(-1, MapSimilarity.Spearman([1, -2, 3, -4], [-1, 2, -3, 4]), 12);
    }

    [Fact]
    public void Spearman_with_ties_matches_numpy_average_ranks()
    {
        var (a, b) = (RandomMap(32, 1, levels: 6), RandomMap(32, 2, levels: 4));
        var file = WriteMaps(a, b);
        var expected = double.Parse(Python.Run("""
            import numpy as np, sys
            a, b = [np.array([float(v) for v in line.split(',')]) for line in open(sys.argv[1]).read().split()]
            def ranks(x):
                order = np.argsort(x, kind='mergesort')
                r = np.empty(len(x)); r[order] = np.arange(1, len(x) + 1)
                for value in np.unique(x):
                    tie = x == value
                    r[tie] = r[tie].mean()
                return r
            print(repr(np.corrcoef(ranks(a), ranks(b))[0, 1]))
            """, file), CultureInfo.InvariantCulture);
        File.Delete(file);
        Assert.Equal(expected, MapSimilarity.Spearman(a, b), 9);
        Assert.InRange(expected, 0.05, 0.95); // a case that tests something: neither unrelated nor equal
    }

    [Fact]
    public void Ssim_matches_numpy_from_the_definition()
    {
        const int side = 40;
        var (a, b) = (RandomMap(side, 3), RandomMap(side, 4));
        var file = WriteMaps(a, b);
        var expected = double.Parse(Python.Run("""
            import numpy as np, sys
            side = 40
            a, b = [np.array([float(v) for v in line.split(',')]).reshape(side, side) for line in open(sys.argv[1]).read().split()]
            unit = lambda m: (m - m.min()) / (m.max() - m.min())
            x, y = unit(a), unit(b)
            g = np.exp(-np.arange(-5, 6) ** 2 / (2 * 1.5 ** 2)); g /= g.sum()
            def window(m):
                # Separable Gaussian; numpy's 'reflect' mirrors without repeating the edge.
                p = np.pad(m, 5, mode='reflect')
                rows = np.array([[np.dot(p[i, j:j + 11], g) for j in range(side)] for i in range(side + 10)])
                return np.array([[np.dot(rows[i:i + 11, j], g) for j in range(side)] for i in range(side)])
            mx, my = window(x), window(y)
            vx, vy, cxy = window(x * x) - mx * mx, window(y * y) - my * my, window(x * y) - mx * my
            c1, c2 = 0.01 ** 2, 0.03 ** 2
            s = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
            print(repr(s.mean()))
            """, file), CultureInfo.InvariantCulture);
        File.Delete(file);
        Assert.Equal(expected, MapSimilarity.Ssim(a, b, side), 6);
        Assert.InRange(expected, 0.05, 0.95);
        Assert.Equal(1, MapSimilarity.Ssim(a, a, side), 9);
    }

    [Fact]
    public void Hog_similarity_is_one_for_the_same_map_at_any_contrast_and_low_for_an_unrelated_one()
    {
        const int side = 224;
        var map = RandomMap(side, 5);
        // 8-pixel cells, 16-pixel blocks at stride 8: 27 x 27 blocks of 4 cells x 9 orientations.
        Assert.Equal(27 * 27 * 4 * 9, MapSimilarity.HogFeatures(map, side).Length);
        Assert.Equal(1, MapSimilarity.Hog(map, map, side), 9);
        Assert.Equal(1, MapSimilarity.Hog(map, map.Select(v => 3 * v + 1).ToArray(), side), 3);
        var noise = new Random(6);
        var unrelated = Enumerable.Range(0, side * side).Select(_ => (float)noise.NextDouble()).ToArray();
        Assert.InRange(MapSimilarity.Hog(map, unrelated, side), -0.3, 0.3);
    }

    [Fact]
    public void A_constant_map_has_no_rank_correlation()
    {
        var map = RandomMap(16, 7);
        Assert.True(double.IsNaN(MapSimilarity.Spearman(map, new float[map.Length])));
    }

    [Fact]
    public void Random_weights_follow_the_tensors_own_mean_and_deviation_cut_at_two_deviations_and_repeat_with_the_seed()
    {
        var source = new Random(8);
        var weights = Enumerable.Range(0, 20_000).Select(_ => 0.3 + 0.05 * (source.NextDouble() - 0.5)).ToArray();
        double mean = weights.Average(), std = Math.Sqrt(weights.Sum(w => (w - mean) * (w - mean)) / weights.Length);
        var drawn = WeightRandomiser.TruncatedNormalLike(weights, new Random(1));
        double drawnMean = drawn.Average(v => (double)v);
        double drawnStd = Math.Sqrt(drawn.Sum(v => (v - drawnMean) * (v - drawnMean)) / drawn.Length);
        Assert.InRange(drawnMean, mean - 0.02 * std, mean + 0.02 * std);
        // A standard normal cut at +-2 keeps a deviation of 0.8796 (its variance 1 - 4 phi(2) / (2 Phi(2) - 1)).
        Assert.InRange(drawnStd / std, 0.8796 - 0.015, 0.8796 + 0.015);
        Assert.All(drawn, v => Assert.InRange(v, mean - 2 * std - 1e-6, mean + 2 * std + 1e-6));
        Assert.Equal(drawn, WeightRandomiser.TruncatedNormalLike(weights, new Random(1)));
        Assert.NotEqual(drawn, WeightRandomiser.TruncatedNormalLike(weights, new Random(2)));
    }
}
