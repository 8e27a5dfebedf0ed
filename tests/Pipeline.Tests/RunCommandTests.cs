using System.Text.Json;

namespace Pipeline.Tests;

/// <summary>`Pipeline run` end to end on real photos with the shared MobileNetV2 (one crop, for speed).</summary>
public class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string GradientModelWithCard()
    {
        var model = Path.Combine(_dir, "mnv2_grad.onnx");
        var card = Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", model, "--card", card);
        Assert.True(code == 0, stderr);
        return model;
    }

    private string Images()
    {
        var images = Path.Combine(_dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(images, "parrot.jpg"));
        File.Copy(CommandLine.Shared("data", "photos", "cat.bmp"), Path.Combine(images, "cat.bmp"));
        File.WriteAllText(Path.Combine(images, "broken.jpg"), "not a jpeg");
        return images;
    }

    [Fact]
    public void Writes_five_boxes_per_image_an_error_line_for_the_broken_file_and_a_report()
    {
        var model = GradientModelWithCard();
        var output = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CommandLine.Run("run", "--model", model, "--images", Images(), "--out", output, "--crops", "1", "--device", "cpu", "--save-maps");
        Assert.True(code == 0, stderr);
        Assert.Contains("2 images, 1 skipped, 0 errors", stdout);

        var rows = File.ReadAllLines(Path.Combine(output, "loc.csv"));
        Assert.Equal("ImageId,PredictionString", rows[0]);
        Assert.Equal(["cat", "parrot"], rows[1..].Select(r => r.Split(',')[0]).Order());
        var parrot = rows.Single(r => r.StartsWith("parrot,")).Split(',')[1].Split(' ');
        Assert.Equal(25, parrot.Length);
        Assert.Contains(parrot[0], IndependentTop5(CommandLine.Shared("data", "photos", "parrot.jpg")));
        int width = 0, height = 0;
        using (var image = OpenCvSharp.Cv2.ImRead(CommandLine.Shared("data", "photos", "parrot.jpg"))) (width, height) = (image.Width, image.Height);
        for (int g = 0; g < 5; g++)
        {
            var v = parrot.Skip(5 * g + 1).Take(4).Select(int.Parse).ToArray();
            Assert.True(0 <= v[0] && v[0] <= v[2] && v[2] < width && 0 <= v[1] && v[1] <= v[3] && v[3] < height, string.Join(" ", v));
        }

        var errors = File.ReadAllLines(Path.Combine(output, "errors.csv"));
        Assert.Equal(2, errors.Length);
        Assert.Contains("broken.jpg", errors[1]);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json")));
        Assert.Equal(64, report.RootElement.GetProperty("modelSha256").GetString()!.Length);
        Assert.Equal(2, report.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(10, Directory.GetFiles(Path.Combine(output, "maps"), "*.png").Length / 2);
    }

    /// <summary>
    /// The shared MobileNetV2's own top 5 for an image, by a forward pass made here without the
    /// tool: shorter side to 256, the centre 224x224, RGB, x = pixel / 127.5 - 1 (its model card).
    /// </summary>
    private static string[] IndependentTop5(string path)
    {
        using var image = OpenCvSharp.Cv2.ImRead(path);
        double f = 256.0 / Math.Min(image.Width, image.Height);
        using var resized = image.Resize(new OpenCvSharp.Size(Math.Round(image.Width * f), Math.Round(image.Height * f)), 0, 0, OpenCvSharp.InterpolationFlags.Area);
        using var crop = new OpenCvSharp.Mat(resized, new OpenCvSharp.Rect((resized.Width - 224) / 2, (resized.Height - 224) / 2, 224, 224));
        var x = new float[3 * 224 * 224];
        for (int y = 0; y < 224; y++)
        for (int i = 0; i < 224; i++)
        {
            var p = crop.At<OpenCvSharp.Vec3b>(y, i);
            x[y * 224 + i] = p.Item2 / 127.5f - 1;
            x[224 * 224 + y * 224 + i] = p.Item1 / 127.5f - 1;
            x[2 * 224 * 224 + y * 224 + i] = p.Item0 / 127.5f - 1;
        }
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"));
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x, [1, 3, 224, 224]);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var outputs = session.Run(runOptions, new Dictionary<string, Microsoft.ML.OnnxRuntime.OrtValue> { ["input"] = input }, session.OutputNames);
        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var synsets = File.ReadAllLines(CommandLine.Shared("models", "imagenet1000_synsets.txt"));
        return Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(5).Select(i => synsets[i]).ToArray();
    }

    [Fact]
    public void Devkit_format_writes_one_based_class_ids_in_image_order()
    {
        var model = GradientModelWithCard();
        var output = Path.Combine(_dir, "devkit");
        var list = Path.Combine(_dir, "list.txt");
        File.WriteAllLines(list, [CommandLine.Shared("data", "photos", "parrot.jpg")]);
        var (code, _, stderr) = CommandLine.Run("run", "--model", model, "--images", list, "--out", output, "--crops", "1", "--device", "cpu", "--format", "devkit", "--localiser", "whole");
        Assert.True(code == 0, stderr);
        var line = File.ReadAllLines(Path.Combine(output, "loc.txt")).Single().Split(' ');
        var synsets = File.ReadAllLines(CommandLine.Shared("models", "imagenet1000_synsets.txt"));
        Assert.Contains(synsets[int.Parse(line[0]) - 1], IndependentTop5(CommandLine.Shared("data", "photos", "parrot.jpg")));
        Assert.Equal(25, line.Length);
    }

    [Fact]
    public void A_model_without_a_card_is_refused_in_one_line()
    {
        var model = Path.Combine(_dir, "plain_grad.onnx");
        CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", model);
        var (code, _, stderr) = CommandLine.Run("run", "--model", model, "--images", Images(), "--out", Path.Combine(_dir, "x"), "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains("no model card", stderr);
    }

    [Fact]
    public void Run_with_truth_boxes_the_ground_truth_class_and_eval_scores_it()
    {
        var model = GradientModelWithCard();
        var dev = CommandLine.Shared("data", "ilsvrc-dev");
        var ids = new[] { "ILSVRC2012_val_00000051", "ILSVRC2012_val_00000198" };
        var list = Path.Combine(_dir, "dev.txt");
        File.WriteAllLines(list, ids.Select(id => Path.Combine(dev, "images", id + ".JPEG")));
        var truth = Path.Combine(_dir, "truth.csv");
        File.WriteAllLines(truth, File.ReadAllLines(Path.Combine(dev, "LOC_val_solution.csv")).Where(l => l.StartsWith("ImageId") || ids.Any(l.StartsWith)));
        var output = Path.Combine(_dir, "dev-out");
        var (code, _, stderr) = CommandLine.Run("run", "--model", model, "--images", list, "--out", output, "--crops", "1", "--device", "cpu", "--truth", truth);
        Assert.True(code == 0, stderr);

        // loc_gt.csv: one box per image, of the ground-truth class.
        var gt = File.ReadAllLines(Path.Combine(output, "loc_gt.csv")).Skip(1).ToDictionary(l => l.Split(',')[0], l => l.Split(',')[1].Split(' ')[0]);
        Assert.Equal("n01828970", gt["ILSVRC2012_val_00000051"]);
        Assert.Equal("n01560419", gt["ILSVRC2012_val_00000198"]);

        var json = Path.Combine(_dir, "scores.json");
        (code, var stdout, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(output, "loc.csv"), "--truth", truth,
            "--synsets", Path.Combine(dev, "LOC_synset_mapping.txt"), "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("GT-known", stdout);
        using var scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, scores.RootElement.GetProperty("images").GetInt32());
        // Classification error by hand: an image is wrong when its ground-truth wnid is none of its 5 guesses.
        var truthWnid = File.ReadAllLines(truth).Skip(1).ToDictionary(l => l.Split(',')[0], l => l.Split(',')[1].Split(' ')[0]);
        var guesses = File.ReadAllLines(Path.Combine(output, "loc.csv")).Skip(1).ToDictionary(l => l.Split(',')[0], l => l.Split(',')[1].Split(' ').Where((_, i) => i % 5 == 0).ToList());
        double expected = ids.Count(id => !guesses[id].Contains(truthWnid[id])) / 2.0;
        Assert.Equal(expected, scores.RootElement.GetProperty("top5ClassificationError").GetDouble());

        // The ground truth scored as a prediction of itself has no error at all.
        (code, _, stderr) = CommandLine.Run("eval", "--pred", truth, "--truth", truth);
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void Eval_of_the_ground_truth_against_itself_has_no_error()
    {
        var dev = CommandLine.Shared("data", "ilsvrc-dev");
        var json = Path.Combine(_dir, "self.json");
        var truth = Path.Combine(dev, "LOC_val_solution.csv");
        var (code, _, stderr) = CommandLine.Run("eval", "--pred", truth, "--truth", truth, "--json", json);
        Assert.True(code == 0, stderr);
        using var scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0.0, scores.RootElement.GetProperty("top1LocalisationError").GetDouble());
        Assert.Equal(File.ReadAllLines(truth).Length - 1, scores.RootElement.GetProperty("images").GetInt32());
    }
}
