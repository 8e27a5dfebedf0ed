using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using OpenCvSharp;
using Onnx;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Saliency;
using Pipeline.Sanity;

namespace Pipeline.Tests;

/// <summary>
/// The sanity check on MobileNetV2: the layers it finds, randomised gradient models that are the
/// gradients of their randomised forward (by finite differences), a top layer randomised by hand
/// (the correlation falls; the trained model gives 1), and the command end to end.
/// </summary>
public class SanityModelTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    private const int Side = 224;

    private static float[] Crop(string photo, Cards.ModelCard card)
    {
        using var image = Cv2.ImRead(CommandLine.Shared("data", "photos", photo));
        using var crop = image.Resize(new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        var tensor = new float[3 * Side * Side];
        Preprocessing.ToTensor(crop, card.Pixels, tensor);
        return tensor;
    }

    private static long Best(GradientRunner runner, float[] crop) =>
        runner.Scores(crop, 1).Select((v, i) => (v, i)).MaxBy(p => p.v).i;

    /// <summary>
    /// |derivative along the gradient by central differences - |g|^2| / |g|^2: the gradient is the
    /// forward's own when this is small. The step is small so the path crosses few ReLU6 kinks.
    /// </summary>
    private static double DirectionalError(GradientRunner runner, float[] x, long c)
    {
        var g = runner.Gradients(x, 1, [[c]]);
        double gMax = g.Max(v => Math.Abs(v)), step = 1e-5;
        var v = g.Select(gi => gi / gMax).ToArray();
        float Score(double sign) => runner.Scores(x.Select((p, i) => (float)(p + sign * step * v[i])).ToArray(), 1)[c];
        double numeric = (Score(1) - (double)Score(-1)) / (2 * step);
        double analytic = g.Select((gi, i) => (double)gi * v[i]).Sum();
        return Math.Abs(numeric - analytic) / Math.Abs(analytic);
    }

    [Fact]
    public void The_weighted_layers_of_MobileNetV2_run_from_the_logits_to_the_first_conv_and_group_into_blocks()
    {
        var gradientModel = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.Model));
        var rebuild = new GradientRebuild(gradientModel, GradientModelInfo.Read(gradientModel, "mnv2"), withNorms: false);
        // Its 53 Conv nodes (the classifier is a 1x1 Conv; batch norms are folded into the convs).
        Assert.Equal(53, rebuild.Layers.Count);
        Assert.Equal(("conv_275", "W_273", "B_274"), (rebuild.Layers[0].Name, rebuild.Layers[0].Initializers[0], rebuild.Layers[0].Initializers[1]));
        Assert.Equal("conv_3", rebuild.Layers[^1].Name);
        // 8 blocks: the logits alone, then 52 layers in 7 groups: 52 = 3 x 8 + 4 x 7.
        var blocks = LayerSteps.Blocks(rebuild.Layers, 8);
        Assert.Equal([1, 8, 8, 8, 7, 7, 7, 7], blocks.Select(b => b.Layers.Count));
        Assert.Equal(rebuild.Layers, blocks.SelectMany(b => b.Layers));
        Assert.Equal(53, LayerSteps.Every(rebuild.Layers).Count);
    }

    [Fact]
    public void A_rebuilt_model_keeps_the_grad_cam_layer_it_was_exported_with()
    {
        // Tiny Darknet's last spatial layer is its classifier; export-grad --cam-layer chose the one before.
        const string layer = "leaky_re_lu_15";
        var exported = GradientGraphBuilder.Build(File.ReadAllBytes(CommandLine.Shared("models", "tiny_darknet.onnx")),
            new BuildOptions { ClassActivation = true, ClassActivationLayer = layer }).ToByteArray();
        using var runner = new GradientRunner(exported, new DeviceChoice("cpu"), 1);
        Assert.Equal(layer, runner.Info.CamTensor);
        var rebuild = new GradientRebuild(ModelProto.Parser.ParseFrom(exported), runner.Info, withNorms: false);
        foreach (var randomised in new[] { Array.Empty<int>(), [0] })
        {
            var rebuilt = ModelProto.Parser.ParseFrom(rebuild.With(randomised, seed: 1));
            Assert.Equal(layer, rebuilt.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);
        }
    }

    [Fact]
    public void A_randomised_model_is_the_gradient_of_its_randomised_forward_where_randomising_the_gradient_models_weight_is_not()
    {
        var bytes = File.ReadAllBytes(model.Model);
        var gradientModel = ModelProto.Parser.ParseFrom(bytes);
        using var trained = new GradientRunner(bytes, new DeviceChoice("cpu"), 2);
        var card = trained.Info.StoredCard!;
        var x = Crop("parrot.jpg", card);
        var rebuild = new GradientRebuild(gradientModel, trained.Info, withNorms: false);
        using var randomised = new GradientRunner(rebuild.With([0, 1], seed: 3), new DeviceChoice("cpu"), 2);
        long c = Best(randomised, x);
        double own = DirectionalError(trained, x, Best(trained, x));
        Assert.True(own < 1e-2, $"the trained model fails its own check: {own:P2}");
        double rebuilt = DirectionalError(randomised, x, c);
        Assert.True(rebuilt < 1e-2, $"rebuilt: the derivative along the gradient is off by {rebuilt:P2}");

        // The shortcut: the same random weights put into the gradient model's initializers. The
        // forward changes, but the backward of these stride-1 convs keeps its flipped trained kernels.
        var shortcut = gradientModel.Clone();
        var randomForward = ModelProto.Parser.ParseFrom(rebuild.With([0, 1], seed: 3));
        foreach (var name in rebuild.Layers[0].Initializers.Concat(rebuild.Layers[1].Initializers))
        {
            int i = shortcut.Graph.Initializer.Select(t => t.Name).ToList().IndexOf(name);
            shortcut.Graph.Initializer[i] = randomForward.Graph.Initializer.Single(t => t.Name == name);
        }
        using var stale = new GradientRunner(shortcut.ToByteArray(), new DeviceChoice("cpu"), 2);
        Assert.Equal(randomised.Scores(x, 1)[c], stale.Scores(x, 1)[c], 3);
        double staleError = DirectionalError(stale, x, c);
        Assert.True(staleError > 0.1, $"randomising the gradient model's weight alone gave a gradient within {staleError:P2} of the forward's");
    }

    [Fact]
    public void A_top_layer_randomised_by_hand_lowers_the_maps_rank_correlation_and_the_trained_model_gives_one()
    {
        // The test's own randomisation: the source model's classifier weights replaced by normal
        // values of their own scale, then exported as a user would.
        var dir = Directory.CreateTempSubdirectory("pipeline-sanity-hand-").FullName;
        var source = ModelProto.Parser.ParseFrom(File.ReadAllBytes(CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx")));
        var random = new Random(12);
        for (int i = 0; i < source.Graph.Initializer.Count; i++)
        {
            var t = source.Graph.Initializer[i];
            if (t.Name is not ("W_273" or "B_274")) continue;
            var values = Tensors.ToFloats(t);
            double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
            var fresh = values.Select(_ => (float)(std * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
            source.Graph.Initializer[i] = Tensors.FloatTensor(t.Name, t.Dims.ToArray(), fresh);
        }
        var sourcePath = Path.Combine(dir, "random_top.onnx");
        File.WriteAllBytes(sourcePath, source.ToByteArray());
        var randomTop = Path.Combine(dir, "random_top_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", sourcePath, "--out", randomTop,
            "--card", Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json"));
        Assert.True(code == 0, stderr);

        using var trained = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        using var randomised = new GradientRunner(File.ReadAllBytes(randomTop), new DeviceChoice("cpu"), 2);
        foreach (var photo in new[] { "parrot.jpg", "dog.jpg" })
        {
            var x = Crop(photo, trained.Info.StoredCard!);
            long c = Best(trained, x);
            float[] Map(GradientRunner r) => SaliencyMaps.FromGradient(r.Gradients(x, 1, [[c]]), 3, Side, Side);
            var map = Map(trained);
            Assert.Equal(1, MapSimilarity.SpearmanAbsolute(map, Map(trained)), 9);
            double rho = MapSimilarity.SpearmanAbsolute(map, Map(randomised));
            Assert.True(rho < 0.9, $"{photo}: rank correlation {rho:F3} with the classifier randomised");
        }
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Sanity_writes_its_table_and_figures_with_the_control_row_at_one()
    {
        var dir = Directory.CreateTempSubdirectory("pipeline-sanity-").FullName;
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        foreach (var photo in Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(2))
            File.Copy(photo, Path.Combine(images, Path.GetFileName(photo)));
        File.WriteAllText(Path.Combine(images, "broken.jpg"), "not a jpeg");
        var output = Path.Combine(dir, "out");
        var (code, stdout, stderr) = CommandLine.Run("sanity", "--model", model.Model, "--images", images, "--out", output,
            "--blocks", "2", "--device", "cpu", "--threads", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("warning: skipped", stderr);
        Assert.Contains("broken.jpg", stderr);

        var rows = File.ReadAllLines(Path.Combine(output, "sanity.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        // The control, then 2 cascade and 2 independent steps.
        Assert.Equal(["trained", "cascade", "cascade", "independent", "independent"], rows.Select(r => r[0]));
        Assert.All(rows[0][4..8], v => Assert.Equal(1.0, double.Parse(v, System.Globalization.CultureInfo.InvariantCulture), 6));
        double top = double.Parse(rows[1][4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(top < 0.9, $"rank correlation {top} after randomising the logits layer");
        // The first step is the logits layer in both modes: the same random weights, the same row.
        Assert.Equal(rows[1][2..8], rows[3][2..8]);
        Assert.Equal(53, int.Parse(rows[2][3]));
        Assert.Equal(1 + 5 * 2, File.ReadAllLines(Path.Combine(output, "sanity_images.csv")).Length);
        Assert.Contains("saliency (gradient rule): passes", stdout);

        using var figure = Cv2.ImRead(Path.Combine(output, "sanity_cascade.png"));
        // Columns: the image, the trained map and 2 steps; rows: 2 images under the header.
        Assert.Equal((4 * 114, 44 + 2 * 114), (figure.Width, figure.Height));
        Assert.True(File.Exists(Path.Combine(output, "sanity_independent.png")));
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("--limit", "0", "--limit 0: expected 1 to 64")]
    [InlineData("--limit", "65", "--limit 65: expected 1 to 64")]
    [InlineData("--blocks", "1", "--blocks 1: expected 2 to 100")]
    [InlineData("--threshold", "1", "--threshold 1: expected a value in (0, 1)")]
    [InlineData("--threshold", "0", "--threshold 0: expected a value in (0, 1)")]
    [InlineData("--seed", "-1", "--seed -1: expected 0 to 2147483647")]
    [InlineData("--layers", "some", "--layers 'some': expected blocks or all")]
    [InlineData("--mode", "up", "--mode 'up': expected both, cascade or independent")]
    [InlineData("--map", "nothing", "--map 'nothing': expected saliency")]
    [InlineData("--ig-steps", "0", "--ig-steps 0: expected 1 to 1024")]
    [InlineData("--ig-rule", "simpson", "--ig-rule 'simpson': expected midpoint or gauss-legendre")]
    [InlineData("--rise-masks", "8", "--rise-masks goes with --map rise, not --map saliency")]
    [InlineData("--ig-steps", "8", "--ig-steps goes with --map integrated-gradients, not --map saliency")]
    public void Options_out_of_range_are_refused_in_one_line_with_exit_code_2(string option, string value, string message)
    {
        var (code, stdout, stderr) = CommandLine.Run("sanity", "--model", model.Model, "--images", "/nonexistent", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {message}", line);
    }

    [Fact]
    public void A_missing_folder_and_a_cam_method_without_cam_fail_in_one_line()
    {
        var (code, _, stderr) = CommandLine.Run("sanity", "--model", model.Model, "--images", "/nonexistent/images", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Equal("error: /nonexistent/images: no such folder or list file", stderr.Trim());
        (code, _, stderr) = CommandLine.Run("sanity", "--model", model.Model, "--images", CommandLine.Shared("data", "photos"), "--limit", "1",
            "--map", "cam", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("needs the model's Grad-CAM output", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
