using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Measures;

namespace Pipeline.Tests;

/// <summary>
/// Deletion, insertion, their areas and the pointing game on cases worked out by hand: a one-Conv
/// ONNX model (written here with the onnx package) whose two class scores are sums of one channel
/// each, so every step's probability is a softmax of two sums; the blur against NumPy.
/// </summary>
public class DeletionInsertionTests : IDisposable
{
    private const int Side = 4, Plane = Side * Side;
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-deletion-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Score 0 = sum of channel 0; score 1 = half the sum of channel 1 (a 4x4 Conv over a 4x4 image, then Flatten).</summary>
    private string LinearModel()
    {
        Python.Run("""
            import sys, numpy as np, onnx
            from onnx import helper, numpy_helper, TensorProto
            w = np.zeros((2, 3, 4, 4), np.float32)
            w[0, 0] = 1
            w[1, 1] = 0.5
            graph = helper.make_graph(
                [helper.make_node('Conv', ['image', 'w'], ['c']), helper.make_node('Flatten', ['c'], ['logits'])], 'linear',
                [helper.make_tensor_value_info('image', TensorProto.FLOAT, [1, 3, 4, 4])],
                [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 2])], [numpy_helper.from_array(w, 'w')])
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]), sys.argv[1])
            """, Path.Combine(_dir, "linear.onnx"));
        var gradient = Path.Combine(_dir, "linear_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", Path.Combine(_dir, "linear.onnx"), "--out", gradient);
        Assert.True(code == 0, stderr);
        return gradient;
    }

    private static double Softmax0(double s0, double s1) => 1 / (1 + Math.Exp(s1 - s0));

    [Fact]
    public void The_area_is_the_trapezoid_rule_over_the_fraction()
    {
        // 0.25 x (1 + 0.5) / 2 + 0.25 x (0.5 + 0.5) / 2 + 0.5 x (0.5 + 0) / 2
        Assert.Equal(0.4375, new PixelCurve([0, 0.25, 0.5, 1], [1, 0.5, 0.5, 0]).Auc, 12);
        Assert.Equal(0.5, new PixelCurve([0, 1], [0, 1]).Auc, 12);
    }

    [Fact]
    public void Pixels_go_in_map_order_with_ties_in_row_major_order_and_in_equal_shares()
    {
        float[] map = Enumerable.Range(0, Plane).Select(i => (float)(i % 4)).ToArray();
        Assert.Equal([3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12], DeletionInsertion.Order(map));
        // 16 pixels in 3 steps: 5, 5, then the 6 left.
        Assert.Equal([0, 5, 10, 16], Enumerable.Range(0, 4).Select(k => DeletionInsertion.Changed(k, 3, Plane)));
    }

    [Fact]
    public void Deletion_and_insertion_curves_and_areas_match_the_hand_computation()
    {
        using var runner = new GradientRunner(File.ReadAllBytes(LinearModel()), new DeviceChoice("cpu"), 1);
        // Channel 0 positive and falling along the pixels, channel 1 alternating, channel 2 unused by the scores.
        var image = new float[3 * Plane];
        for (int i = 0; i < Plane; i++) (image[i], image[Plane + i], image[2 * Plane + i]) = (1.5f - 0.1f * i, i % 2 == 0 ? 0.8f : -0.4f, 9);
        float[] map = Enumerable.Range(0, Plane).Select(i => (float)(i % 4)).ToArray();
        int[] order = [3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12];
        int[] changed = [0, 5, 10, 16];
        double[] fractions = [0, 5 / 16.0, 10 / 16.0, 1];
        var blurred = DeletionInsertion.Blurred(image, Side);

        // Class 0's probability with the first `n` pixels of the order taken from `target`, the rest from `start`.
        double Probability(float[] start, float[] target, int n, int cls)
        {
            var taken = order.Take(n).ToHashSet();
            double s0 = 0, s1 = 0;
            for (int i = 0; i < Plane; i++)
            {
                var source = taken.Contains(i) ? target : start;
                s0 += source[i];
                s1 += 0.5 * source[Plane + i];
            }
            return cls == 0 ? Softmax0(s0, s1) : 1 - Softmax0(s0, s1);
        }
        double Area(double[] p) => Enumerable.Range(0, 3).Sum(k => (fractions[k + 1] - fractions[k]) * (p[k] + p[k + 1]) / 2);

        foreach (int cls in new[] { 0, 1 })
        {
            var (deletion, insertion) = new DeletionInsertion(3).Curves(runner, image, map, Side, cls);
            var expectedDeletion = changed.Select(n => Probability(image, new float[3 * Plane], n, cls)).ToArray();
            var expectedInsertion = changed.Select(n => Probability(blurred, image, n, cls)).ToArray();
            Assert.Equal(fractions, deletion.Fractions);
            Assert.Equal(fractions, insertion.Fractions);
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(expectedDeletion[k], deletion.Probabilities[k], 5);
                Assert.Equal(expectedInsertion[k], insertion.Probabilities[k], 5);
            }
            // Every pixel deleted: both sums 0, so the two classes are even.
            Assert.Equal(0.5, deletion.Probabilities[^1], 6);
            Assert.Equal(Area(expectedDeletion), deletion.Auc, 5);
            Assert.Equal(Area(expectedInsertion), insertion.Auc, 5);
        }
    }

    [Fact]
    public void The_insertion_start_is_a_gaussian_blur_of_11_pixels_and_sigma_5_with_reflected_edges()
    {
        const int side = 16;
        var random = new Random(4);
        var image = Enumerable.Range(0, 3 * side * side).Select(_ => (float)random.NextDouble()).ToArray();
        var path = Path.Combine(_dir, "image.bin");
        TinyTorchNetFixture.Write(path, image);
        var blurred = DeletionInsertion.Blurred(image, side);
        Python.Run("""
            import sys, numpy as np
            side = 16
            image = np.fromfile(sys.argv[1], dtype='<f4').reshape(3, side, side).astype(np.float64)
            x = np.arange(-5, 6)
            g = np.exp(-x ** 2 / (2 * 5.0 ** 2)); g /= g.sum()
            # numpy's 'reflect' mirrors about the edge pixel without repeating it (OpenCV's BORDER_REFLECT_101).
            padded = np.pad(image, ((0, 0), (5, 5), (5, 5)), mode='reflect')
            rows = sum(g[i] * padded[:, i:i + side, :] for i in range(11))
            out = sum(g[i] * rows[:, :, i:i + side] for i in range(11))
            out.astype('<f8').tofile(sys.argv[1] + '.blurred')
            """, path);
        var truth = TinyTorchNetFixture.Doubles(path + ".blurred");
        double error = truth.Select((t, i) => Math.Abs(t - blurred[i])).Max();
        Assert.True(error < 1e-5, $"blur differs from NumPy's by up to {error:G3}");
        Assert.True(truth.Select((t, i) => Math.Abs(t - image[i])).Max() > 0.1, "the blur should change a random image");
    }

    [Fact]
    public void Pointing_hits_within_15_pixels_of_a_box_of_the_class()
    {
        // A 4x4 map over a 40x40 image: its maximum at column 2, row 1, whose centre is (24.5, 14.5) in the image.
        var map = new double[16];
        map[1 * 4 + 2] = 1;
        var miss = PointingGame.Play(map, 4, 4, 40, 40, [new Box(0, 0, 10, 10)]);
        Assert.False(miss.Hit); // 14.5 across and 4.5 down: 15.18 pixels away
        Assert.Equal((24.5, 14.5), miss.Point);
        Assert.True(PointingGame.Play(map, 4, 4, 40, 40, [new Box(0, 0, 10, 10), new Box(0, 0, 10, 14)]).Hit); // 14.5 across, 0.5 down: 14.51 pixels, inside the tolerance
        Assert.True(PointingGame.Play(map, 4, 4, 40, 40, [new Box(20, 10, 30, 20)]).Hit); // inside
        Assert.False(PointingGame.Play(map, 4, 4, 40, 40, [new Box(40, 30, 50, 40)]).Hit); // 15.5 across and 15.5 down
        // Several maxima: the first in row-major order (column 3, row 0, centre (34.5, 4.5)).
        map[3] = 1;
        Assert.Equal((34.5, 4.5), PointingGame.Play(map, 4, 4, 40, 40, [new Box(0, 0, 1, 1)]).Point);
        // A flat map has no maximum: a miss without a point, even over a box that covers the image.
        var flat = PointingGame.Play(new double[16], 4, 4, 40, 40, [new Box(0, 0, 39, 39)]);
        Assert.False(flat.Hit);
        Assert.Null(flat.Point);
        // A non-square image: the map's pixel scales along each axis; column 1, row 0 has its centre at (1.5 x 100 / 4 - 0.5, 0.5 x 20 / 4 - 0.5).
        var wide = new double[16];
        wide[1] = 1;
        Assert.Equal((37.0, 2.0), PointingGame.Play(wide, 4, 4, 100, 20, [new Box(0, 0, 1, 1)]).Point);
    }
}
