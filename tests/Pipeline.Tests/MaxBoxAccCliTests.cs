using System.Text.Json;
using Pipeline.Outputs;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>`eval --protocol maxboxacc` on a folder of maps made by hand, and `run --save-npy` end to end (one crop, for speed).</summary>
public class MaxBoxAccCliTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-maxboxacc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Nested squares 0.25 / 0.625 / 1 (see MaxBoxAccTests for the boxes and IoUs by hand) under maps/val/a.JPEG.npy, in a 448x224 image.</summary>
    private (string Maps, string Truth) NestedSquares()
    {
        var map = new float[224 * 224];
        foreach (var (lo, hi, v) in new[] { (20, 179, 0.25f), (60, 139, 0.625f), (90, 109, 1f) })
            for (int y = lo; y <= hi; y++)
                for (int x = lo; x <= hi; x++) map[y * 224 + x] = v;
        var maps = Path.Combine(_dir, "maps");
        Directory.CreateDirectory(Path.Combine(maps, "val"));
        NpyFile.Write(Path.Combine(maps, "val", "a.JPEG.npy"), map, 224, 224);
        File.WriteAllText(Path.Combine(maps, "image_sizes.txt"), "val/a.JPEG,448,224\n");
        var truth = Path.Combine(_dir, "truth.csv");
        File.WriteAllText(truth, "ImageId,PredictionString\na,n1 100 50 299 149\nb,n1 0 0 10 10\n");
        return (maps, truth);
    }

    [Fact]
    public void Eval_prints_v1_and_v2_counts_the_missing_map_and_writes_the_curve()
    {
        var (maps, truth) = NestedSquares();
        var json = Path.Combine(_dir, "maxboxacc.json");
        var (code, stdout, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--maps", maps, "--truth", truth, "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("2 (1 without a map", stdout);
        Assert.Matches(@"MaxBoxAcc \(v1, IoU 0.5\)\s+50.0%", stdout);
        Assert.Matches(@"MaxBoxAccV2 \(IoU .3/.5/.7\)\s+33.3%", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(100, root.GetProperty("thresholds").GetArrayLength());
        Assert.Equal(0.5, root.GetProperty("maxBoxAccV1").GetDouble());
        var v1 = root.GetProperty("v1").GetProperty("accuracy").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal([0.0, 0.5, 0.5, 0.0], new[] { v1[24], v1[25], v1[62], v1[63] });
        var v2 = root.GetProperty("v2").EnumerateArray().ToArray();
        Assert.Equal([0.3, 0.5, 0.7], v2.Select(c => c.GetProperty("iou").GetDouble()));
        Assert.Equal(0.5, v2[0].GetProperty("accuracy")[0].GetDouble()); // IoU 0.3 holds with the outer square at tau 0
    }

    [Fact]
    public void Bad_maps_folders_and_options_are_refused_in_one_line()
    {
        var (maps, truth) = NestedSquares();
        File.Delete(Path.Combine(maps, "image_sizes.txt"));
        var (code, _, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--maps", maps, "--truth", truth);
        Assert.Equal(1, code);
        Assert.Contains("image_sizes.txt", stderr);
        Assert.Single(stderr.Trim().Split('\n'));

        File.WriteAllText(Path.Combine(maps, "image_sizes.txt"), "val/a.JPEG,448,224\n");
        var broken = Path.Combine(maps, "val", "a.JPEG.npy");
        File.WriteAllText(broken, "not an array");
        (code, _, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--maps", maps, "--truth", truth);
        Assert.Equal(1, code);
        Assert.Contains(broken, stderr);
        Assert.Single(stderr.Trim().Split('\n'));

        Assert.Equal(2, CommandLine.Run("eval", "--protocol", "maxbox", "--maps", maps, "--truth", truth).ExitCode);
        (code, _, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--truth", truth);
        Assert.Equal(2, code);
        Assert.Contains("--maps", stderr);
        (code, _, stderr) = CommandLine.Run("eval", "--truth", truth);
        Assert.Equal(2, code);
        Assert.Contains("--pred", stderr);
    }

    [Fact]
    public void Run_save_npy_writes_maps_numpy_reads_and_eval_scores_and_shards_merge_to_the_same_bytes()
    {
        var images = Path.Combine(_dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(images, "parrot.jpg"));
        File.Copy(CommandLine.Shared("data", "photos", "cat.bmp"), Path.Combine(images, "cat.bmp"));
        var truth = Path.Combine(_dir, "truth.csv");
        File.WriteAllText(truth, "ImageId,PredictionString\nparrot,n01818515 100 50 600 600\n"); // macaw; the cat has no truth row
        var output = Path.Combine(_dir, "out");
        string[] common = ["--model", model.Model, "--images", images, "--crops", "1", "--device", "cpu", "--truth", truth, "--save-npy", "--quiet"];
        var (code, _, stderr) = CommandLine.Run(["run", .. common, "--out", output]);
        Assert.True(code == 0, stderr);

        var npy = Path.Combine(output, "npy");
        Assert.True(File.Exists(Path.Combine(npy, "gt", "images", "parrot.jpg.npy")));
        Assert.False(File.Exists(Path.Combine(npy, "gt", "images", "cat.bmp.npy")));
        Assert.True(File.Exists(Path.Combine(npy, "top1", "images", "cat.bmp.npy")));
        int W(string f) { using var m = OpenCvSharp.Cv2.ImRead(Path.Combine(images, f)); return m.Width; }
        int H(string f) { using var m = OpenCvSharp.Cv2.ImRead(Path.Combine(images, f)); return m.Height; }
        Assert.Equal($"images/cat.bmp,{W("cat.bmp")},{H("cat.bmp")}\nimages/parrot.jpg,{W("parrot.jpg")},{H("parrot.jpg")}\n",
            File.ReadAllText(Path.Combine(npy, "image_sizes.txt")));
        // NumPy, as an evaluator would load it: 224x224 float32, min-max normalised.
        Assert.Equal("float32 (224, 224) 0.0 1.0", Python.Run(
            "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, float(a.min()), float(a.max()))",
            Path.Combine(npy, "gt", "images", "parrot.jpg.npy")));

        var json = Path.Combine(_dir, "scores.json");
        (code, var stdout, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--maps", Path.Combine(npy, "gt"), "--truth", truth, "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("1 (0 without a map", stdout);

        // The option is part of the run's fingerprint: the same folder without it is refused.
        (code, _, stderr) = CommandLine.Run(["run", .. common[..^2], "--quiet", "--out", output]);
        Assert.Equal(2, code);
        Assert.Contains("--save-npy", stderr);

        // Two shards merged: the same maps and image_sizes.txt, byte for byte.
        var shards = new[] { 0, 1 }.Select(i => Path.Combine(_dir, $"shard{i}")).ToArray();
        for (int i = 0; i < 2; i++)
            Assert.Equal(0, CommandLine.Run(["run", .. common, "--out", shards[i], "--shard", $"{i}/2"]).ExitCode);
        var merged = Path.Combine(_dir, "merged");
        Assert.Equal(0, CommandLine.Run(["merge", "--out", merged, .. shards]).ExitCode);
        var files = Directory.GetFiles(npy, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(npy, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(Path.Combine(merged, "npy"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(merged, "npy"), f)).Order());
        foreach (var f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(npy, f)), File.ReadAllBytes(Path.Combine(merged, "npy", f)));
    }

    [Fact]
    public void Eval_agrees_with_a_second_computation_in_numpy_and_debian_cv2_on_irregular_maps()
    {
        // 30 seeded maps of blobs, rings and noise (many contours, holes, ties) at several image sizes and boxes.
        var random = new Random(8);
        var maps = Path.Combine(_dir, "random"); // the root: maps in random/val/, ids val/imgN.JPEG as in image_sizes.txt
        Directory.CreateDirectory(Path.Combine(maps, "val"));
        var truth = new List<string> { "ImageId,PredictionString" };
        var sizes = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            var map = new float[224 * 224];
            int w = 100 + random.Next(400), h = 100 + random.Next(400);
            var boxes = new List<string>();
            for (int b = 0; b < 1 + random.Next(5); b++)
            {
                double cx = random.Next(224), cy = random.Next(224), r = 5 + random.Next(60), weight = random.NextDouble(), ring = random.Next(3) == 0 ? r / 2 : 0;
                // Some blobs are objects: a ground-truth box about them, a little off, in the image's pixels.
                if (b < 2 && random.Next(2) == 0)
                {
                    double s = (1.5 + random.NextDouble()) * r, jitter = 0.3 * r * (random.NextDouble() - 0.5);
                    int X(double v) => (int)Math.Clamp(v * w / 224, 0, w - 1);
                    int Y(double v) => (int)Math.Clamp(v * h / 224, 0, h - 1);
                    boxes.Add($"n1 {X(cx - s + jitter)} {Y(cy - s)} {X(cx + s)} {Y(cy + s + jitter)}");
                }
                for (int y = 0; y < 224; y++)
                    for (int x = 0; x < 224; x++)
                    {
                        double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                        map[y * 224 + x] += (float)(weight * Math.Exp(-Math.Pow((d - ring) / r, 2)));
                    }
            }
            for (int p = 0; p < map.Length; p++) map[p] += (float)(0.05 * random.NextDouble());
            NpyFile.Write(Path.Combine(maps, "val", $"img{i}.JPEG.npy"), NpyMaps.ToProtocol(map, 224, 224), 224, 224);
            sizes.Add($"val/img{i}.JPEG,{w},{h}");
            if (boxes.Count == 0)
            {
                int x0 = random.Next(w - 10), y0 = random.Next(h - 10);
                boxes.Add($"n1 {x0} {y0} {x0 + random.Next(w - x0)} {y0 + random.Next(h - y0)}");
            }
            truth.Add($"img{i},{string.Join(' ', boxes)}");
        }
        truth.Add("absent,n1 0 0 5 5");
        File.WriteAllLines(Path.Combine(maps, "image_sizes.txt"), sizes);
        var truthFile = Path.Combine(_dir, "random-truth.csv");
        File.WriteAllLines(truthFile, truth);

        var json = Path.Combine(_dir, "random.json");
        var (code, _, stderr) = CommandLine.Run("eval", "--protocol", "maxboxacc", "--maps", maps, "--truth", truthFile, "--json", json);
        Assert.True(code == 0, stderr);
        using var ours = JsonDocument.Parse(File.ReadAllText(json));
        using var theirs = JsonDocument.Parse(Python.Run(File.ReadAllText(Path.Combine(CommandLine.Repository(), "scripts", "maxboxacc_check.py")), maps, truthFile));
        double[] Curve(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(Curve(theirs.RootElement.GetProperty("V1")), Curve(ours.RootElement.GetProperty("v1").GetProperty("accuracy")));
        for (int d = 0; d < 3; d++)
            Assert.Equal(Curve(theirs.RootElement.GetProperty("V2")[d]), Curve(ours.RootElement.GetProperty("v2")[d].GetProperty("accuracy")));
        Assert.Equal(theirs.RootElement.GetProperty("MaxBoxAccV2").GetDouble(), ours.RootElement.GetProperty("maxBoxAccV2").GetDouble(), 12);
        // Not a trivial agreement: the curves vary with tau.
        Assert.True(Curve(ours.RootElement.GetProperty("v1").GetProperty("accuracy")).Distinct().Count() > 3);
    }
}
