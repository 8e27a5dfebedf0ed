using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>A small torch ConvNet (24x24, 5 classes) exported to ONNX and made into a gradient model, with two random crops; once per test class.</summary>
public sealed class TinyTorchNetFixture : IDisposable
{
    public const int Side = 24, Classes = 5;
    public string Dir { get; } = Directory.CreateTempSubdirectory("pipeline-tinynet-").FullName;
    public string GradientModel => Path.Combine(Dir, "net_grad.onnx");
    /// <summary>Two crops [2, 3, 24, 24], standard normal.</summary>
    public float[] Crops { get; }

    /// <summary>The network, rebuilt from its saved weights in float64, as the truth scripts import it.</summary>
    public const string Net = """
        import sys, numpy as np, torch
        def load(dir):
            net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(6, 5))
            net.load_state_dict(torch.load(dir + '/net.pt'))
            return net.double().eval()
        def probabilities(net, x):
            with torch.no_grad():
                return torch.softmax(net(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))), 1).numpy()
        """;

    public TinyTorchNetFixture()
    {
        Python.Run("""
            import sys, torch
            out = sys.argv[1]
            torch.manual_seed(7)
            net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(6, 5)).eval()
            with torch.no_grad():
                for p in net.parameters(): p.mul_(2)  # probabilities that move when part of a crop is masked
            torch.save(net.state_dict(), out + '/net.pt')
            torch.onnx.export(net, torch.zeros(1, 3, 24, 24), out + '/net.onnx', opset_version=13, input_names=['image'], output_names=['logits'])
            torch.randn(2, 3, 24, 24, generator=torch.Generator().manual_seed(8)).numpy().astype('<f4').tofile(out + '/crops.bin')
            """, Dir);
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", Path.Combine(Dir, "net.onnx"), "--out", GradientModel);
        if (code != 0) throw new InvalidOperationException(stderr);
        Crops = Floats(Path.Combine(Dir, "crops.bin"));
    }

    public static float[] Floats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static double[] Doubles(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new double[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static void Write<T>(string path, T[] values) where T : struct
    {
        var bytes = new byte[Buffer.ByteLength(values)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>
/// Occlusion and RISE against NumPy on torch's float64 forward of the same network: the masked crops,
/// their class probabilities and the maps are computed there from the methods' definitions alone (RISE's
/// random grids and shifts are the one input taken from our side; its enlargement is torch's bilinear).
/// </summary>
public class ForwardMapMethodTests(TinyTorchNetFixture net) : IClassFixture<TinyTorchNetFixture>
{
    private static readonly long[][] ClassIndex = [[0, 3], [4, 1]];
    private static readonly PixelTransform Pixels = new(true, 1f / 255, [0, 0, 0], [1, 1, 1]);

    private float[][] Maps(MapMethod method)
    {
        using var runner = new GradientRunner(File.ReadAllBytes(net.GradientModel), new DeviceChoice("cpu"), 1);
        return method.Maps(runner, new CropBatch(net.Crops, 2, ClassIndex, TinyTorchNetFixture.Side, Pixels));
    }

    /// <summary>Our maps against the truth's, map by map, to a tolerance of float32 arithmetic against float64.</summary>
    private static void AssertClose(float[][] ours, double[] truth, string what)
    {
        int plane = TinyTorchNetFixture.Side * TinyTorchNetFixture.Side;
        Assert.Equal(truth.Length, ours.Length * plane);
        for (int m = 0; m < ours.Length; m++)
        {
            var expected = truth.AsSpan(m * plane, plane).ToArray();
            double scale = expected.Max(Math.Abs), error = expected.Select((e, i) => Math.Abs(e - ours[m][i])).Max();
            Assert.True(scale > 1e-3, $"{what} map {m}: the truth is almost zero ({scale:G3}), so the test would mean nothing");
            Assert.True(error <= 1e-4 * scale, $"{what} map {m}: largest difference {error:G3} against values up to {scale:G3}");
        }
    }

    [Theory]
    [InlineData(8, 5)] // positions 0, 5, 10, 15 and the last, 16: the rule that covers every pixel
    [InlineData(6, 6)] // positions that tile the crop exactly
    [InlineData(24, 1)] // one window: the whole crop
    public void Occlusion_matches_numpy_on_torch(int window, int stride)
    {
        var maps = Maps(new OcclusionMethod(window, stride));
        var dir = Path.Combine(net.Dir, $"occlusion-{window}-{stride}");
        Directory.CreateDirectory(dir);
        Python.Run(TinyTorchNetFixture.Net + "\n" + """
            dir, out, window, stride = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            net, side = load(dir), 24
            crops = np.fromfile(dir + '/crops.bin', dtype='<f4').reshape(2, 3, side, side).astype(np.float64)
            starts = list(range(0, side - window + 1, stride))
            if starts[-1] != side - window: starts.append(side - window)
            maps = []
            for crop, classes in zip(crops, [[0, 3], [4, 1]]):
                clean = probabilities(net, crop[None])[0]
                windows = [(x, y) for y in starts for x in starts]
                occluded = np.repeat(crop[None], len(windows), 0)
                for i, (x, y) in enumerate(windows): occluded[i, :, y:y + window, x:x + window] = 0
                p = probabilities(net, occluded)
                for k in classes:
                    total, count = np.zeros((side, side)), np.zeros((side, side))
                    for i, (x, y) in enumerate(windows):
                        total[y:y + window, x:x + window] += clean[k] - p[i, k]
                        count[y:y + window, x:x + window] += 1
                    maps.append(total / count)
            np.array(maps, dtype='<f8').tofile(out + '/truth.bin')
            """, net.Dir, dir, window.ToString(), stride.ToString());
        AssertClose(maps, TinyTorchNetFixture.Doubles(Path.Combine(dir, "truth.bin")), $"occlusion {window}/{stride}");
    }

    [Theory]
    [InlineData(40, 5, 0.5, 3)] // a 5x5 grid enlarged to 30 pixels: shifts of 0 to 4
    [InlineData(25, 7, 0.3, 11)] // a 4x4 grid enlarged to 35 pixels, fewer cells kept
    public void Rise_matches_numpy_on_torch(int count, int cell, double keep, int seed)
    {
        var method = new RiseMethod(count, cell, keep, seed);
        var maps = Maps(method);
        var masks = method.MasksFor(TinyTorchNetFixture.Side);
        var dir = Path.Combine(net.Dir, $"rise-{count}-{cell}-{seed}");
        Directory.CreateDirectory(dir);
        TinyTorchNetFixture.Write(Path.Combine(dir, "grids.bin"), masks.Grids.SelectMany(g => g).ToArray());
        TinyTorchNetFixture.Write(Path.Combine(dir, "shifts.bin"), masks.Shifts.SelectMany(s => new[] { s.X, s.Y }).ToArray());
        Python.Run(TinyTorchNetFixture.Net + "\n" + """
            dir, out, count, cell, keep = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
            net, side = load(dir), 24
            grid = -(-side // cell)
            crops = np.fromfile(dir + '/crops.bin', dtype='<f4').reshape(2, 3, side, side).astype(np.float64)
            grids = np.fromfile(out + '/grids.bin', dtype=np.uint8).reshape(count, 1, grid, grid).astype(np.float64)
            shifts = np.fromfile(out + '/shifts.bin', dtype='<i4').reshape(count, 2)
            large = torch.nn.functional.interpolate(torch.from_numpy(grids), size=((grid + 1) * cell,) * 2, mode='bilinear', align_corners=False)[:, 0].numpy()
            masks = np.stack([large[i, y:y + side, x:x + side] for i, (x, y) in enumerate(shifts)])
            maps = []
            for crop, classes in zip(crops, [[0, 3], [4, 1]]):
                p = probabilities(net, crop[None] * masks[:, None])
                for k in classes:
                    maps.append((p[:, k, None, None] * masks).sum(0) / (count * keep))
            np.array(maps, dtype='<f8').tofile(out + '/truth.bin')
            """, net.Dir, dir, count.ToString(), cell.ToString(), keep.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertClose(maps, TinyTorchNetFixture.Doubles(Path.Combine(dir, "truth.bin")), $"rise {count}/{cell}/{keep}");
    }

    [Fact]
    public void Rise_keeps_cells_at_the_asked_rate_and_shifts_within_a_cell()
    {
        var masks = new RiseMasks(2000, 224, 32, 0.3, 5);
        Assert.Equal(7, masks.GridSide);
        double kept = masks.Grids.Average(g => g.Average(v => (double)v));
        // 98000 cells: the standard error of the rate is 0.0015.
        Assert.InRange(kept, 0.29, 0.31);
        Assert.All(masks.Shifts, s => Assert.True(s.X is >= 0 and < 32 && s.Y is >= 0 and < 32));
        Assert.Equal(32, masks.Shifts.Select(s => s.X).Distinct().Count());
        // The same seed gives the same masks (a resumed run masks alike); another seed others.
        Assert.Equal(masks.Mask(17), new RiseMasks(2000, 224, 32, 0.3, 5).Mask(17));
        Assert.NotEqual(masks.Mask(17), new RiseMasks(2000, 224, 32, 0.3, 6).Mask(17));
    }
}
