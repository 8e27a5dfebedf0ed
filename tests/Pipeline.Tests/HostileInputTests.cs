using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using OpenCvSharp;

namespace Pipeline.Tests;

/// <summary>
/// Bad input, made by the tests themselves: each case asserts the exit code, a one-line message that
/// names the file, and that the good images' rows are the same as in a run without the bad input.
/// </summary>
public class HostileInputTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string GoodImages(string name)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(folder, "parrot.jpg"));
        File.Copy(CommandLine.Shared("data", "photos", "cat.bmp"), Path.Combine(folder, "cat.bmp"));
        return folder;
    }

    private (int Code, string Stdout, string Stderr, string Out) Run(string images, params string[] extra)
    {
        var output = Path.Combine(_dir, "out-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, stderr) = CommandLine.Run(["run", "--model", model.Model, "--images", images, "--out", output, "--crops", "1", "--device", "cpu", "--quiet", .. extra]);
        return (code, stdout, stderr, output);
    }

    private static Dictionary<string, string> Rows(string output) =>
        File.ReadAllLines(Path.Combine(output, "loc.csv")).Skip(1).ToDictionary(l => l.Split(',')[0]);

    private static List<string[]> Errors(string output) =>
        File.ReadAllLines(Path.Combine(output, "errors.csv")).Skip(1).Select(l => l.Split(',', 4)).ToList();

    private static void OneLine(string stderr) => Assert.True(stderr.Trim().Split('\n').Length == 1 && !stderr.Contains("   at "), $"not one line: {stderr}");

    public static TheoryData<string, string, string> BadImages => new()
    {
        // file name, status in errors.csv, what the reason says
        { "empty.jpg", "skipped", "empty file" },
        { "text.jpg", "skipped", "not a readable image" },
        { "cut.jpg", "warning", "truncated JPEG" },
        { "fifo.jpg", "skipped", "FIFO" },
        { "bomb.bmp", "skipped", "above the limit" },
        { "nodata.png", "skipped", "holds only 0 bytes of image data" },
        // Decoder warnings: the image is scored, its row names the decoder's own reason.
        { "flipped.jpg", "warning", "the JPEG decoder reports: " },
        { "claims_more.jpg", "warning", "the JPEG decoder reports: Corrupt JPEG data: premature end of data segment" },
        { "no_iend.png", "warning", "PNG without its IEND chunk" },
        // PNG damage is found by the chunk walk before libpng could print an unnamed line.
        { "cut_idat.png", "skipped", "cut PNG (chunk 'IDAT'" },
        { "bad_crc.png", "skipped", "fails its CRC" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void A_bad_image_costs_one_errors_row_and_leaves_the_good_rows_unchanged(string file, string status, string reason)
    {
        var baseline = Run(GoodImages("good"));
        Assert.True(baseline.Code == 0, baseline.Stderr);
        var folder = GoodImages("bad");
        Make(Path.Combine(folder, file));

        var run = Run(folder);

        Assert.True(run.Code == 0, run.Stderr);
        var rows = Rows(run.Out);
        Assert.Equal(Rows(baseline.Out)["parrot"], rows["parrot"]);
        Assert.Equal(Rows(baseline.Out)["cat"], rows["cat"]);
        var error = Assert.Single(Errors(run.Out));
        Assert.Equal([Path.Combine(folder, file), Path.GetFileNameWithoutExtension(file), status], error[..3]);
        Assert.Contains(reason, error[3]);
        // A warned image is still scored; a skipped one has no row.
        Assert.Equal(status == "warning", rows.ContainsKey(Path.GetFileNameWithoutExtension(file)));
        // Nothing on stderr that does not name its image (libjpeg's and libpng's own lines name none).
        Assert.All(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("notice:")),
            line => Assert.Contains(Path.Combine(folder, file), line));
    }

    [Fact]
    public void A_symbolic_link_to_an_image_is_scored_as_the_image_without_a_warning()
    {
        var baseline = Run(GoodImages("plain"));
        var folder = Path.Combine(_dir, "links");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "parrot.jpg"), CommandLine.Shared("data", "photos", "parrot.jpg"));
        File.CreateSymbolicLink(Path.Combine(folder, "cat.bmp"), CommandLine.Shared("data", "photos", "cat.bmp"));

        var run = Run(folder);

        Assert.True(run.Code == 0, run.Stderr);
        Assert.Empty(Errors(run.Out));
        Assert.Equal(Rows(baseline.Out), Rows(run.Out));
    }

    [Fact]
    public void A_list_file_follows_the_same_rules_and_reports_what_a_folder_would_skip()
    {
        var folder = GoodImages("listed");
        File.WriteAllBytes(Path.Combine(folder, "anim.gif"), [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
        Directory.CreateDirectory(Path.Combine(folder, "dir.jpg"));
        var list = Path.Combine(_dir, "list.txt");
        File.WriteAllLines(list, ["# a comment", "listed/parrot.jpg", "listed/anim.gif", "listed/dir.jpg", "listed/missing.jpg", "", "listed/cat.bmp"]);

        var run = Run(list);

        Assert.True(run.Code == 0, run.Stderr);
        Assert.Equal(["cat", "parrot"], Rows(run.Out).Keys.Order());
        var reasons = Errors(run.Out).ToDictionary(e => e[1], e => e[3]);
        Assert.Contains("not a supported image type '.gif'", reasons["anim"]);
        Assert.Contains("a folder", reasons["dir"]);
        Assert.Contains("no such file", reasons["missing"]);
    }

    [Fact]
    public void Two_files_with_one_image_id_are_refused_before_the_run_naming_both()
    {
        var folder = GoodImages("dupes");
        File.Copy(Path.Combine(folder, "cat.bmp"), Path.Combine(folder, "cat.png"));
        var run = Run(folder);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains("cat.bmp", run.Stderr);
        Assert.Contains("cat.png", run.Stderr);
        Assert.False(File.Exists(Path.Combine(run.Out, "loc.csv")));
    }

    [Fact]
    public void A_run_where_every_image_fails_or_no_image_exists_exits_1()
    {
        var folder = Path.Combine(_dir, "all-bad");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.jpg"), "no");
        var run = Run(folder);
        Assert.Equal(1, run.Code);
        Assert.Contains("no image could be scored", run.Stderr);

        var empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        run = Run(empty);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains("no images", run.Stderr);
    }

    [Theory]
    [InlineData("--top", "0")]
    [InlineData("--top", "-1")]
    [InlineData("--top", "101")]
    [InlineData("--top", "2000")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "-1")]
    [InlineData("--mass-tail", "0.7")]
    [InlineData("--mass-tail", "NaN")]
    [InlineData("--fg-quantile", "1.5")]
    [InlineData("--bg-quantile", "0.96")]
    [InlineData("--mass-power", "0")]
    [InlineData("--crops", "3")]
    [InlineData("--working-side", "10")]
    [InlineData("--max-pixels", "0")]
    [InlineData("--shard", "4/4")]
    [InlineData("--shard", "one")]
    [InlineData("--format", "xml")]
    [InlineData("--localiser", "magic")]
    [InlineData("--method", "magic")] // the old name, rewritten to --localiser with a note naming it
    [InlineData("--device", "tpu")]
    [InlineData("--no-such-option", "1")]
    [InlineData("--parallel-images", "0")]
    [InlineData("--parallel-images", "65")]
    [InlineData("--parallel-images", "52")] // 52 images x 1 crop x 5 classes: 260 in gradient passes at once, over 256
    [InlineData("--parallel-images", "two")]
    [InlineData("--threads", "1.5")]
    [InlineData("--box-sigma", "wide")]
    [InlineData("--smoothing", "wide")]
    [InlineData("--threshold", "0.3")] // a threshold-box setting under the default mass-box
    [InlineData("--components", "3")] // a paper setting under the default mass-box
    [InlineData("--map", "gradcam")]
    public void An_option_out_of_range_is_a_usage_error_with_exit_code_2(string option, string value)
    {
        var run = Run(GoodImages("options"), option, value);
        Assert.Equal(2, run.Code);
        Assert.Contains(option, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("System.", run.Stderr); // "expected a whole number", not a .NET type name
        Assert.False(File.Exists(Path.Combine(run.Out, "loc.csv")));
    }

    [Theory]
    [InlineData("\"classes\": null", "must not be null")]
    [InlineData("\"classOffset\": -1", "negative")]
    [InlineData("\"inputSize\": 0", "inputSize")]
    [InlineData("\"std\": [0, 1, 1]", "std")]
    public void A_broken_card_is_refused_in_one_line(string field, string reason)
    {
        var card = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json")))!;
        var (name, value) = (field.Split(':')[0].Trim('"'), field.Split(':', 2)[1].Trim());
        card[name] = JsonDocument.Parse(value).RootElement;
        var path = Path.Combine(_dir, "card.json");
        File.WriteAllText(path, JsonSerializer.Serialize(card));
        var run = Run(GoodImages("cards"), "--card", path);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains(path, run.Stderr);
        Assert.Contains(reason, run.Stderr);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("export-grad")]
    [InlineData("run")]
    public void An_empty_model_file_is_refused_in_one_line_by_every_command(string command)
    {
        var empty = Path.Combine(_dir, "empty.onnx");
        File.WriteAllBytes(empty, []);
        string[] args = command switch
        {
            "inspect" => ["inspect", "--model", empty],
            "export-grad" => ["export-grad", "--model", empty, "--out", Path.Combine(_dir, "x.onnx")],
            _ => ["run", "--model", empty, "--images", GoodImages("m"), "--out", Path.Combine(_dir, "o"), "--device", "cpu"],
        };
        var (code, _, stderr) = CommandLine.Run(args);
        Assert.Equal(1, code);
        OneLine(stderr);
        Assert.Contains($"{empty}: empty file", stderr);
    }

    [Fact]
    public void A_gradient_model_with_a_broken_node_is_refused_in_one_line()
    {
        var proto = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.Model));
        proto.Graph.Node.First(n => n.OpType == "Conv").Input[1] = "no_such_weight";
        var broken = Path.Combine(_dir, "broken_grad.onnx");
        File.WriteAllBytes(broken, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var run = CommandLine.Run("run", "--model", broken, "--images", GoodImages("b"), "--out", Path.Combine(_dir, "o"), "--device", "cpu");
        Assert.Equal(1, run.ExitCode);
        OneLine(run.Stderr);
        Assert.Contains("ONNX Runtime cannot load it", run.Stderr);
    }

    /// <summary>Peak memory of a separate process (run.json's peakMemoryBytes) for images whose pixel count or shape would have cost gigabytes.</summary>
    [Theory]
    [InlineData("huge.jpg", 12000, 12000)]
    [InlineData("thin.png", 2, 4000)]
    [InlineData("tall.png", 3000, 3)]
    public void Huge_and_thin_images_are_scored_within_the_memory_budget(string file, int width, int height)
    {
        var folder = Path.Combine(_dir, "big");
        Directory.CreateDirectory(folder);
        using (var image = new Mat(height, width, MatType.CV_8UC3))
        {
            // A diagonal ramp, so that the image is not flat.
            Cv2.Resize(Gradient(), image, new Size(width, height));
            Cv2.ImWrite(Path.Combine(folder, file), image);
        }
        var output = Path.Combine(_dir, "big-out");
        var (code, _, stderr) = Subprocess.Run("run", "--model", model.Model, "--images", folder, "--out", output, "--device", "cpu", "--quiet", "--threads", "2");
        Assert.True(code == 0, stderr);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        long peak = report.RootElement.GetProperty("peakMemoryBytes").GetInt64();
        Assert.True(peak < 1_500_000_000, $"peak memory {peak / 1e6:F0} MB");
        var boxes = File.ReadAllLines(Path.Combine(output, "loc.csv"))[1].Split(',')[1].Split(' ');
        Assert.Equal(25, boxes.Length);
        for (int g = 0; g < 5; g++)
        {
            var v = boxes.Skip(5 * g + 1).Take(4).Select(int.Parse).ToArray();
            Assert.True(0 <= v[0] && v[0] <= v[2] && v[2] < width && 0 <= v[1] && v[1] <= v[3] && v[3] < height, string.Join(" ", v));
        }
    }

    private static Mat Gradient()
    {
        var ramp = new Mat(64, 64, MatType.CV_8UC3);
        for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            ramp.Set(y, x, new Vec3b((byte)(4 * x), (byte)(4 * y), (byte)(2 * (x + y))));
        return ramp;
    }

    /// <summary>Writes one kind of bad image file.</summary>
    private static void Make(string path)
    {
        var parrot = File.ReadAllBytes(CommandLine.Shared("data", "photos", "parrot.jpg"));
        switch (Path.GetFileName(path))
        {
            case "empty.jpg": File.WriteAllBytes(path, []); break;
            case "text.jpg": File.WriteAllText(path, "this is not a JPEG"); break;
            case "cut.jpg": File.WriteAllBytes(path, parrot[..(parrot.Length * 2 / 5)]); break;
            case "fifo.jpg":
                using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path)) mkfifo.WaitForExit();
                break;
            case "bomb.bmp": File.WriteAllBytes(path, BmpHeader(200_000, 200_000)); break;
            case "nodata.png": File.WriteAllBytes(path, Png(10, 10)); break;
            case "flipped.jpg":
            {
                // Bytes in the middle of the entropy-coded data overwritten, as a bad disk or transfer does.
                var damaged = (byte[])parrot.Clone();
                var rng = new Random(7);
                for (int i = 0; i < 64; i++) damaged[damaged.Length / 2 + rng.Next(4096)] = (byte)rng.Next(256);
                File.WriteAllBytes(path, damaged);
                break;
            }
            case "claims_more.jpg":
            {
                // A whole 64x64 JPEG whose frame header claims 6000x6000: the data ends long before the image does.
                Cv2.ImEncode(".jpg", Gradient(), out var jpeg);
                int sof = IndexOf(jpeg, [0xFF, 0xC0]);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 6000);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 6000);
                File.WriteAllBytes(path, jpeg);
                break;
            }
            case "no_iend.png":
                Cv2.ImEncode(".png", Gradient(), out var whole);
                File.WriteAllBytes(path, whole[..^12]);
                break;
            case "cut_idat.png":
                Cv2.ImEncode(".png", Gradient(), out var png);
                File.WriteAllBytes(path, png[..(png.Length / 2)]);
                break;
            case "bad_crc.png":
                Cv2.ImEncode(".png", Gradient(), out var flipped);
                flipped[IndexOf(flipped, "IDAT"u8.ToArray()) + 10] ^= 1;
                File.WriteAllBytes(path, flipped);
                break;
            default: throw new ArgumentException(path);
        }
    }

    private static int IndexOf(byte[] bytes, byte[] pattern) => bytes.AsSpan().IndexOf(pattern);

    /// <summary>A 24-bit BMP header claiming the size, with no pixel data.</summary>
    private static byte[] BmpHeader(int width, int height)
    {
        var bmp = new byte[54];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        return bmp;
    }

    /// <summary>A PNG with a valid signature, IHDR (the claimed size) and IEND, and no pixel data.</summary>
    internal static byte[] Png(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typed.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(typed));
        return chunk;
    }
}
