using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using GradientGraphs.Onnx;
using Onnx;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>`Pipeline bench` prints its figures consistently and refuses options out of range (timings are never asserted).</summary>
public class BenchTests
{
    private static readonly string MobileNet = CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx");

    [Fact]
    public void Bench_prints_each_ratio_as_the_quotient_of_the_times_it_prints()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--batch", "1", "--classes", "1,2",
            "--threads", "1", "--runs", "1", "--crops", "2", "--stage-classes", "2", "--clock", "cpu");

        Assert.True(code == 0, stderr);
        var row = stdout.Split('\n').Single(l => Regex.IsMatch(l, @"^\s+1\s"));
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        // batch, forward, then (time, ratio) per K
        Assert.Equal(6, cells.Length);
        // The times are printed to 4 decimals (a few percent of a 4 ms forward), the ratios from the unrounded times.
        Assert.InRange(cells[2] / cells[1], cells[3] * 0.97 - 0.01, cells[3] * 1.03 + 0.01);
        Assert.InRange(cells[4] / cells[1], cells[5] * 0.97 - 0.01, cells[5] * 1.03 + 0.01);
        var stage = Regex.Match(stdout, @"saliency stage per image \(2 crops, K=2, cpu, 1 threads, 1 image at once, CPU seconds\): ([\d.]+) = ([\d.]+) forward passes of the 2 crops \(([\d.]+) each\)");
        Assert.True(stage.Success, stdout);
        double total = double.Parse(stage.Groups[1].Value, CultureInfo.InvariantCulture), forwards = double.Parse(stage.Groups[2].Value, CultureInfo.InvariantCulture);
        double forward = double.Parse(stage.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.InRange(total / forward, forwards * 0.97 - 0.1, forwards * 1.03 + 0.1);
        // A ranking forward plus a gradient model's forward and backward cost more than two forwards.
        Assert.True(forwards > 2, stdout);
    }

    [Fact]
    public void Stage_only_prints_the_stage_and_the_peak_memory_alone()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--stage-only", "--threads", "1", "--runs", "1", "--crops", "1", "--stage-classes", "1");

        Assert.True(code == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("saliency stage per image (1 crops, K=1", lines[0]);
        Assert.Matches(@"^peak memory of this process: \d+ MB$", lines[1]);
    }

    [Fact]
    public void Stage_with_images_at_once_names_them_and_prints_a_ratio_of_its_own_times()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, "--stage-only", "--threads", "2", "--runs", "1", "--crops", "1",
            "--stage-classes", "1", "--parallel-images", "2");

        Assert.True(code == 0, stderr);
        var stage = Regex.Match(stdout, @"saliency stage per image \(1 crops, K=1, cpu, 2 threads, 2 images at once, seconds\): ([\d.]+) = ([\d.]+) forward passes of the 1 crops \(([\d.]+) each\)");
        Assert.True(stage.Success, stdout);
        // Times depend on what else the machine runs (these tests run side by side); the printed ratio must be theirs.
        double total = double.Parse(stage.Groups[1].Value, CultureInfo.InvariantCulture), forwards = double.Parse(stage.Groups[2].Value, CultureInfo.InvariantCulture);
        double forward = double.Parse(stage.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.True(total > 0 && forward > 0, stdout);
        Assert.InRange(total / forward, forwards * 0.97 - 0.1, forwards * 1.03 + 0.1);
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "2,x")]
    [InlineData("--classes", "257")]
    [InlineData("--stage-classes", "300")]
    [InlineData("--parallel-images", "0")]
    [InlineData("--parallel-images", "65")]
    [InlineData("--threads", "0")]
    [InlineData("--runs", "0")]
    [InlineData("--crops", "11")]
    [InlineData("--clock", "sundial")]
    public void Bench_refuses_an_option_out_of_range_with_exit_code_2(string option, string value)
    {
        var (code, _, stderr) = CommandLine.Run("bench", "--model", MobileNet, option, value);

        Assert.Equal(2, code);
        Assert.Contains(option == "--clock" ? value : option, stderr);
    }

    [Theory]
    [InlineData("--batch", "64", "--classes", "5", "--batch x --classes = 320")]
    [InlineData("--crops", "10", "--stage-classes", "30", "--crops x --stage-classes x --parallel-images = 300")]
    [InlineData("--parallel-images", "6", "--crops", "10", "--crops x --stage-classes x --parallel-images = 300")]
    public void Bench_refuses_a_gradient_pass_too_large_for_memory_before_building_anything(string option, string value, string other, string otherValue, string named)
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", MobileNet, option, value, other, otherValue);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(named, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Bench_names_a_model_path_that_is_a_folder_or_empty_in_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        try
        {
            var empty = Path.Combine(dir, "empty.onnx");
            File.WriteAllBytes(empty, []);
            foreach (var (path, reason) in new[] { (dir, "a folder, not a regular file"), (empty, "empty file, not an ONNX model") })
            {
                var (code, _, stderr) = CommandLine.Run("bench", "--model", path);
                Assert.Equal(1, code);
                Assert.Equal($"error: {path}: {reason}", stderr.Trim());
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

/// <summary>
/// `Pipeline bench --methods`: one line per map method asked, its time a positive figure whose
/// forward-pass count is its quotient by the forward pass printed above it, on small models (timings are never asserted).
/// </summary>
public class BenchMethodsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-bench-methods-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A small classifier on 32 x 32 images, as large as occlusion's window and RISE's cell at their
    /// defaults: with a feature layer (Conv 3->4 stride 2, ReLU, global average pool, Gemm 4->10) or
    /// without one (global average pool, Gemm 3->10), where Grad-CAM has nothing to read.
    /// </summary>
    private string SmallModel(bool withFeatureLayer)
    {
        var random = new Random(5);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };
        var graph = new GraphProto { Name = "small" };
        graph.Input.Add(new ValueInfoProto { Name = "image", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float,
            Shape = new TensorShapeProto { Dim = { new[] { 1L, 3, 32, 32 }.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }) } } } } });
        int channels = withFeatureLayer ? 4 : 3;
        if (withFeatureLayer)
        {
            graph.Initializer.Add(Tensors.FloatTensor("w", [4, 3, 3, 3], Values(108)));
            graph.Node.Add(new NodeProto { OpType = "Conv", Input = { "image", "w" }, Output = { "c" }, Attribute = { Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2) } });
            graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "c" }, Output = { "r" } });
        }
        graph.Initializer.Add(Tensors.FloatTensor("fc", [10, channels], Values(10 * channels)));
        graph.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Input = { withFeatureLayer ? "r" : "image" }, Output = { "p" } });
        graph.Node.Add(new NodeProto { OpType = "Flatten", Input = { "p" }, Output = { "f" } });
        graph.Node.Add(new NodeProto { OpType = "Gemm", Input = { "f", "fc" }, Output = { "scores" }, Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } });
        graph.Output.Add(new ValueInfoProto { Name = "scores", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float } } });
        var path = Path.Combine(_dir, withFeatureLayer ? "small.onnx" : "small_no_feature_layer.onnx");
        File.WriteAllBytes(path, new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } }.ToByteArray());
        return path;
    }

    [Fact]
    public void Every_method_asked_gets_one_line_with_a_positive_time_its_forward_pass_count_and_its_model_passes()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", SmallModel(withFeatureLayer: true), "--stage-only", "--threads", "1", "--runs", "1",
            "--crops", "2", "--stage-classes", "2", "--methods", "all");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        var header = Regex.Match(stdout, @"map methods per image \(2 crops, K=2, cpu, 1 threads, .*unit: one forward pass of the 2 crops, ([\d.E+-]+)\):");
        Assert.True(header.Success, stdout);
        double forward = double.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
        int first = lines.FindIndex(l => l.StartsWith("method ")) + 1;
        var rows = lines.Skip(first).TakeWhile(l => !l.StartsWith("peak memory")).Where(l => l.Length > 0)
            .Select(l => Regex.Match(l, @"^(\S+)\s+([\d.E+-]+)\s+([\d.]+)  (.+)$")).ToList();
        Assert.True(rows.All(r => r.Success), stdout);
        Assert.Equal(MapMethods.All.Select(m => m.Name), rows.Select(r => r.Groups[1].Value));
        foreach (var row in rows)
        {
            double seconds = double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture), passes = double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.True(seconds > 0 && passes > 0, row.Value);
            // Both figures are printed to four significant figures, the count from the unrounded times.
            Assert.InRange(seconds / forward, passes * 0.998 - 0.06, passes * 1.002 + 0.06);
        }
        // Per crop at side 32: occlusion's 32-pixel window fits once (plus the clean crop), RISE's 1000 masks, IG's 32 points plus its two scored images.
        var counts = rows.ToDictionary(r => r.Groups[1].Value, r => r.Groups[4].Value);
        Assert.Equal("2 forward", counts["occlusion"]);
        Assert.Equal("1000 forward", counts["rise"]);
        Assert.Equal("32 gradient + 2 forward", counts["integrated-gradients"]);
        foreach (var name in new[] { "saliency", "cam", "saliency-x-cam", "input-x-gradient", "cam-plus-plus" }) Assert.Equal("1 gradient", counts[name]);
    }

    [Fact]
    public void Methods_asked_are_timed_in_the_order_given_and_none_unless_asked()
    {
        var model = SmallModel(withFeatureLayer: true);
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", model, "--stage-only", "--threads", "1", "--runs", "1", "--crops", "1", "--methods", "rise,saliency");
        Assert.True(code == 0, stderr);
        var names = stdout.Split('\n').SkipWhile(l => !l.StartsWith("method ")).Skip(1).TakeWhile(l => !l.StartsWith("peak")).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(["rise", "saliency"], names);

        (code, stdout, stderr) = CommandLine.Run("bench", "--model", model, "--stage-only", "--threads", "1", "--runs", "1", "--crops", "1");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("map methods", stdout);
    }

    [Theory]
    [InlineData("saliency,grad-cam", "grad-cam")]
    [InlineData("everything", "everything")]
    [InlineData("saliency,", "''")]
    public void An_unknown_method_word_is_named_with_exit_code_2(string methods, string named)
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", SmallModel(withFeatureLayer: true), "--methods", methods);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(named == "''" ? "--methods '':" : $"--methods '{named}':", stderr);
        Assert.Contains("integrated-gradients", stderr);
    }

    [Fact]
    public void Methods_with_no_crops_to_time_them_on_are_refused_with_exit_code_2()
    {
        var (code, _, stderr) = CommandLine.Run("bench", "--model", SmallModel(withFeatureLayer: true), "--crops", "0", "--methods", "saliency");

        Assert.Equal(2, code);
        Assert.Contains("--methods", stderr);
        Assert.Contains("--crops 0", stderr);
    }

    [Fact]
    public void A_cam_method_on_a_model_with_no_feature_layer_is_refused_in_one_line_naming_it_before_anything_is_timed()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", SmallModel(withFeatureLayer: false), "--threads", "1", "--runs", "1", "--crops", "1",
            "--methods", "saliency,cam,cam-plus-plus");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("error: small_no_feature_layer.onnx: --methods cam,cam-plus-plus need the Grad-CAM output", line);
    }

    [Fact]
    public void A_gradient_model_is_refused_in_one_line_saying_bench_takes_its_source()
    {
        var gradient = Path.Combine(_dir, "small_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", SmallModel(withFeatureLayer: true), "--out", gradient);
        Assert.True(code == 0, stderr);

        (code, var stdout, stderr) = CommandLine.Run("bench", "--model", gradient, "--methods", "cam");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {gradient}: a gradient model (export-grad's output); bench takes the source model it was exported from", stderr.Trim());
    }
}
