using OpenCvSharp;
using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>run --map: Grad-CAM maps (export-grad --cam) and their product with the saliency map.</summary>
public class CamMapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-cam-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Upsampling_is_bilinear_between_cell_centres()
    {
        // Cells of width 2 in the output: centres at 0.5 and 2.5 (out of 4); pixel centres 0.5..3.5.
        var map = CamMethod.Upsample([0f, 4f], 1, 2, 4);
        for (int row = 0; row < 4; row++)
            Assert.Equal([0f, 1f, 3f, 4f], map.Skip(row * 4).Take(4));
    }

    [Fact]
    public void Saliency_times_cam_is_their_product_at_every_pixel()
    {
        var random = new Random(3);
        int side = 8;
        var gradient = Enumerable.Range(0, 3 * side * side).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] cam = [0f, 1f, 2f, 0.5f];
        var saliency = new SaliencyMethod().CropMap(gradient, cam, [2, 2], side);
        var upsampled = new CamMethod().CropMap(gradient, cam, [2, 2], side);
        var product = new SaliencyTimesCamMethod().CropMap(gradient, cam, [2, 2], side);
        Assert.Equal(SaliencyMaps.FromGradient(gradient, 3, side, side), saliency);
        Assert.Equal(CamMethod.Upsample(cam, 2, 2, side), upsampled);
        Assert.Equal(saliency.Zip(upsampled, (a, b) => a * b), product);
    }

    [Fact]
    public void Run_maps_of_each_kind_belong_to_the_same_class_and_crop()
    {
        var model = Path.Combine(_dir, "cam_grad.onnx");
        var card = Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", model, "--card", card, "--cam");
        Assert.True(code == 0, stderr);
        // An image already at the crops' scale (shorter side 256, working size the same), so that
        // the crop maps are placed without resizing and the product must hold pixel by pixel.
        var image = Path.Combine(_dir, "parrot.png");
        using (var parrot = Cv2.ImRead(CommandLine.Shared("data", "photos", "parrot.jpg")))
        using (var small = parrot.Resize(new Size(320, 256)))
            Cv2.ImWrite(image, small);

        using var runner = new GradientRunner(File.ReadAllBytes(model), new DeviceChoice("cpu"), 2);
        Assert.NotNull(runner.CamShape);
        Assert.Equal([7L, 7L], runner.CamShape);
        var modelCard = runner.Info.StoredCard!;
        var settings = new ExplainSettings(10, 3, new WholeImageLocaliser(), 1024, 100_000_000);
        float[][] Maps(MapMethod kind)
        {
            using var result = new ImageExplainer(runner, modelCard, settings with { Map = kind }).Explain(image);
            Assert.Equal(320 * 256, result.Top[0].Map.Length);
            return result.Top.Select(r => r.Map).ToArray();
        }
        var cam = Maps(new CamMethod());
        for (int k = 0; k < 3; k++)
        {
            Assert.True(cam[k].Max() > 0, $"class {k}: the class activation map is zero everywhere");
            Assert.All(cam[k], v => Assert.True(v >= 0));
        }
        Assert.NotEqual(cam[0], cam[1]);
        // SmoothGrad wraps any method: three noiseless copies of the Grad-CAM maps are the maps themselves.
        Assert.Equal(cam, Maps3(new CamMethod()));
        float[][] Maps3(MapMethod kind)
        {
            using var result = new ImageExplainer(runner, modelCard, settings with { Map = kind, Smooth = new SmoothGrad(3, 0) }).Explain(image);
            return result.Top.Select(r => r.Map).ToArray();
        }
        var single = settings with { Crops = 1 };
        float[] One(MapMethod kind)
        {
            using var result = new ImageExplainer(runner, modelCard, single with { Map = kind }).Explain(image);
            return result.Top[0].Map;
        }
        var (s, c, p) = (One(new SaliencyMethod()), One(new CamMethod()), One(new SaliencyTimesCamMethod()));
        for (int i = 0; i < s.Length; i++)
            Assert.True(Math.Abs(p[i] - s[i] * c[i]) <= 1e-6f * Math.Max(1f, Math.Abs(p[i])), $"pixel {i}: {p[i]} against {s[i]} x {c[i]}");
        Assert.True(c.Max() > 0);
    }

    [Fact]
    public void Export_grad_takes_the_cam_layer_by_name_and_refuses_a_wrong_name_as_a_usage_error_naming_the_layers()
    {
        var card = Path.Combine(CommandLine.Repository(), "models", "onnx", "tiny_darknet.card.json");
        var source = CommandLine.Shared("models", "tiny_darknet.onnx");
        var model = Path.Combine(_dir, "td_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", source, "--out", model, "--card", card, "--cam", "--cam-layer", "no_such_layer");
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--cam-layer no_such_layer: not a tensor of shape [N, C, h, w]", stderr);
        // The last spatial layer is Tiny Darknet's classifier convolution, the one before it its last feature layer.
        var layers = stderr[(stderr.IndexOf("last first: ") + "last first: ".Length)..].Split(", ").Select(l => l.Split(' ')[0]).ToArray();
        Assert.False(File.Exists(model));
        (code, _, stderr) = CommandLine.Run("export-grad", "--model", source, "--out", model, "--card", card, "--cam", "--cam-layer", layers[1]);
        Assert.True(code == 0, stderr);
        var (infoCode, info, _) = CommandLine.Run("inspect", "--model", model);
        Assert.Equal(0, infoCode);
        Assert.Contains(layers[1], info);
        Assert.Equal(2, CommandLine.Run("export-grad", "--model", source, "--out", model, "--card", card, "--cam-layer", layers[1]).ExitCode);
    }

    [Fact]
    public void Map_cam_without_the_models_cam_output_is_refused_and_an_unknown_kind_is_a_usage_error()
    {
        var model = Path.Combine(_dir, "plain_grad.onnx");
        var card = Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json");
        CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", model, "--card", card);
        var images = CommandLine.Shared("data", "photos");
        var (code, _, stderr) = CommandLine.Run("run", "--model", model, "--images", images, "--out", Path.Combine(_dir, "a"), "--map", "cam", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("export-grad --cam", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        (code, _, stderr) = CommandLine.Run("run", "--model", model, "--images", images, "--out", Path.Combine(_dir, "b"), "--map", "gradcam", "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("--map 'gradcam'", stderr);
    }
}
