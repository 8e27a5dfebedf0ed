using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;
using Pipeline.Cards;
using Pipeline.ClassModels;
using Pipeline.Inference;

namespace Pipeline.Tests;

/// <summary>Class model visualisation raises its objective S_c(I) - lambda ||I||^2 at every step, and the class's score with it.</summary>
public class VisualiseTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-visualise-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A small smooth model (Conv 3->4, Tanh, global average pool, Gemm 4->3) on 8x8 images, where small steps must raise the objective.</summary>
    internal static byte[] SmallSmoothGradientModel()
    {
        var random = new Random(3);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var graph = new GraphProto { Name = "small" };
        graph.Input.Add(new ValueInfoProto { Name = "image", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float,
            Shape = new TensorShapeProto { Dim = { new[] { 1L, 3, 8, 8 }.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }) } } } } });
        graph.Initializer.Add(Tensors.FloatTensor("w", [4, 3, 3, 3], Values(108)));
        graph.Initializer.Add(Tensors.FloatTensor("fc", [3, 4], Values(12)));
        graph.Node.Add(new NodeProto { OpType = "Conv", Input = { "image", "w" }, Output = { "c" }, Attribute = { new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } } } });
        graph.Node.Add(new NodeProto { OpType = "Tanh", Input = { "c" }, Output = { "t" } });
        graph.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Input = { "t" }, Output = { "p" } });
        graph.Node.Add(new NodeProto { OpType = "Flatten", Input = { "p" }, Output = { "f" } });
        graph.Node.Add(new NodeProto { OpType = "Gemm", Input = { "f", "fc" }, Output = { "scores" }, Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } });
        graph.Output.Add(new ValueInfoProto { Name = "scores", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float } } });
        var source = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } };
        return GradientGraphBuilder.Build(source.ToByteArray(), new BuildOptions()).ToByteArray();
    }

    [Fact]
    public void Gradient_ascent_raises_the_objective_at_every_step_on_a_small_smooth_model()
    {
        using var runner = new GradientRunner(SmallSmoothGradientModel(), new DeviceChoice("cpu"), 1);
        var card = new ModelCard { InputSize = 8, ShorterSide = 8, Classes = [new("n1", "one"), new("n2", "two"), new("n3", "three")] };
        var results = new ClassModelVisualiser(runner, card).Run([0, 2], new VisualiseSettings { Steps = 30, StepSize = 0.01, L2 = 0.05 });
        foreach (var r in results)
        {
            for (int s = 1; s < r.Objective.Length; s++)
                Assert.True(r.Objective[s] >= r.Objective[s - 1], $"class {r.ClassIndex}: objective fell at step {s}: {string.Join(", ", r.Objective.Select(o => o.ToString("F4")))}");
            // Far from the optimum every step is taken: the objective rises strictly.
            for (int s = 1; s <= 5; s++) Assert.True(r.Objective[s] > r.Objective[s - 1], $"class {r.ClassIndex}: step {s} was not taken");
            Assert.True(r.Score[^1] > r.Score[0], $"class {r.ClassIndex}: score {r.Score[0]:F4} -> {r.Score[^1]:F4}");
        }
    }

    [Fact]
    public void On_mobilenet_each_image_becomes_its_own_class()
    {
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        var card = runner.Info.StoredCard!;
        int goose = card.Classes.FindIndex(c => c.Name.StartsWith("goose")), volcano = card.Classes.FindIndex(c => c.Name.StartsWith("volcano"));
        var results = new ClassModelVisualiser(runner, card).Run([goose, volcano], new VisualiseSettings { Steps = 20, StepSize = 0.002, L2 = 0.01 });
        foreach (var r in results)
        {
            Assert.True(r.Objective.Zip(r.Objective.Skip(1)).All(p => p.Second >= p.First), $"class {r.ClassIndex}: the objective fell");
            Assert.True(r.Objective[^1] > r.Objective[0] + 2, $"class {r.ClassIndex}: objective {r.Objective[0]:F2} -> {r.Objective[^1]:F2}");
            Assert.True(r.Score[^1] > r.Score[0] + 2, $"class {r.ClassIndex}: score {r.Score[0]:F2} -> {r.Score[^1]:F2}");
        }
        // Each image's class now outscores the other image's class on it.
        var scores = runner.Scores([.. results[0].Image, .. results[1].Image], 2);
        Assert.True(scores[goose] > scores[volcano] && scores[1000 + volcano] > scores[1000 + goose]);
    }

    [Fact]
    public void The_command_writes_a_png_per_class_and_a_contact_sheet_and_refuses_an_unknown_class()
    {
        var output = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CommandLine.Run("visualise", "--model", model.Model, "--class", "n01855672,n09472597", "--out", output, "--steps", "3", "--device", "cpu");
        Assert.True(code == 0, stderr);
        Assert.Contains("n01855672 goose", stdout);
        foreach (var name in new[] { "n01855672.png", "n09472597.png", "contact_sheet.png" })
        {
            using var image = OpenCvSharp.Cv2.ImRead(Path.Combine(output, name));
            Assert.False(image.Empty(), name);
        }
        (code, _, stderr) = CommandLine.Run("visualise", "--model", model.Model, "--class", "n99999999", "--out", output, "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("n99999999", stderr);
    }

    [Fact]
    public void A_model_of_another_backward_rule_is_named_in_a_notice()
    {
        var guided = Path.Combine(_dir, "guided_grad.onnx");
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--out", guided,
            "--card", Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json"), "--rule", "guided");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CommandLine.Run("visualise", "--model", guided, "--class", "n01855672", "--out", Path.Combine(_dir, "guided"), "--steps", "1", "--device", "cpu");
        Assert.True(code == 0, stderr);
        Assert.Contains("notice: guided_grad.onnx backpropagates by the guided rule", stderr);
        (code, _, stderr) = CommandLine.Run("visualise", "--model", model.Model, "--class", "n01855672", "--out", Path.Combine(_dir, "plain"), "--steps", "1", "--device", "cpu");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("backpropagates by", stderr);
    }
}
