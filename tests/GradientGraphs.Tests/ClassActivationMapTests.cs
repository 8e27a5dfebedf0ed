using GradientGraphs.Building;
using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests;

/// <summary>
/// export-grad --cam: the class_activation output against Grad-CAM computed independently: the
/// feature tensor read from the forward pass, its gradient by central differences of the layers
/// after it (a separate model with the same weights), then ReLU(sum_c mean(dS/dA_c) A_c).
/// </summary>
public class ClassActivationMapTests
{
    private const int Channels = 3, Side = 5, Classes = 4;

    /// <summary>Weights shared by the whole model and by its head (the layers after the feature tensor).</summary>
    private static readonly float[] ConvWeights = Values(1, Channels * 2 * 3 * 3);
    private static readonly float[] GemmWeights = Values(2, Classes * Channels);
    private static readonly float[] GemmBias = Values(3, Classes);

    private static float[] Values(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>
    /// Global pooling, a linear layer and a square: the score is not linear in the features, so the
    /// gradient at the feature tensor differs between images and classes.
    /// </summary>
    private static string Head(TinyGraph g, string features)
    {
        var pooled = g.Op("Flatten", [g.Op("GlobalAveragePool", [features])], n => n.Set("axis", 1L));
        var linear = g.Op("Gemm", [pooled, g.Constant([Classes, Channels], GemmWeights), g.Constant([Classes], GemmBias)], n => n.Set("transB", 1L));
        return g.Op("Mul", [linear, linear]);
    }

    [Fact]
    public void Class_activation_is_grad_cam_of_the_last_spatial_layer()
    {
        var g = new TinyGraph([1, 2, Side, Side]);
        var features = g.Op("Relu", [g.Op("Conv", [g.X, g.Constant([Channels, 2, 3, 3], ConvWeights)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }))]);
        var score = Head(g, features);
        var model = GradientGraphBuilder.Build(g.Finish(score, features), new BuildOptions { ClassActivation = true, ScoreOutput = score });
        Assert.Equal(features, model.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);

        const int images = 2;
        var input = Values(4, images * 2 * Side * Side);
        long[][] classIndex = [[0, 2, 3], [3, 1, 0]];
        using var ort = new Ort(Google.Protobuf.MessageExtensions.ToByteArray(model));
        var run = ort.Run(input, [images, 2, Side, Side], classIndex);
        var (cam, camShape) = run[GradientModelContract.ClassActivationOutput];
        Assert.Equal([images, 3, Side, Side], camShape);
        var a = run[features].Values;

        var h = new TinyGraph([1, Channels, Side, Side]);
        using var head = new Ort(h.Finish(Head(h, h.X)));
        AssertGradCam(cam, a, head, classIndex);
    }

    /// <summary>
    /// Each image's and class's map against Grad-CAM worked out from the feature tensor <paramref name="a"/>
    /// and <paramref name="head"/>, the layers after it: its gradient by central differences, then
    /// ReLU(sum_c mean(dS/dA_c) A_c). The heads here are quadratic in the features, so a central
    /// difference is exact up to rounding.
    /// </summary>
    private static void AssertGradCam(float[] cam, float[] a, Ort head, long[][] classIndex)
    {
        int plane = Side * Side, perImage = Channels * plane;
        double largest = 0, worst = 0;
        for (int n = 0; n < classIndex.Length; n++)
        {
            var featuresOfImage = a.AsSpan(n * perImage, perImage).ToArray();
            for (int k = 0; k < classIndex[n].Length; k++)
            {
                int cls = (int)classIndex[n][k];
                var alpha = new double[Channels];
                for (int i = 0; i < perImage; i++)
                {
                    const float step = 1e-2f;
                    var plus = (float[])featuresOfImage.Clone();
                    var minus = (float[])featuresOfImage.Clone();
                    plus[i] += step;
                    minus[i] -= step;
                    double derivative = (Score(head, plus, cls) - Score(head, minus, cls)) / (2 * step);
                    alpha[i / plane] += derivative / plane;
                }
                for (int p = 0; p < plane; p++)
                {
                    double expected = Math.Max(0, Enumerable.Range(0, Channels).Sum(c => alpha[c] * featuresOfImage[c * plane + p]));
                    double actual = cam[(n * classIndex[n].Length + k) * plane + p];
                    largest = Math.Max(largest, Math.Abs(expected));
                    worst = Math.Max(worst, Math.Abs(expected - actual));
                }
            }
        }
        Assert.True(largest > 0.1, "every map is zero: the test would not see a wrong one");
        Assert.True(worst <= 2e-3 * largest, $"largest difference {worst} against largest value {largest}");
    }

    private static readonly float[] SecondConvWeights = Values(5, Channels * Channels * 3 * 3);

    private static string SecondConv(TinyGraph g, string input) =>
        g.Op("Conv", [input, g.Constant([Channels, Channels, 3, 3], SecondConvWeights)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }));

    [Fact]
    public void Cam_layer_chooses_an_earlier_feature_layer_by_name()
    {
        // Two spatial layers: by default the second (the last); by name the first, and its map is Grad-CAM of the first.
        var g = new TinyGraph([1, 2, Side, Side]);
        var first = g.Op("Relu", [g.Op("Conv", [g.X, g.Constant([Channels, 2, 3, 3], ConvWeights)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }))]);
        var second = SecondConv(g, first);
        var score = Head(g, second);
        var source = g.Finish(score, first);
        var byDefault = GradientGraphBuilder.Build(source, new BuildOptions { ClassActivation = true, ScoreOutput = score });
        Assert.Equal(second, byDefault.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);
        var model = GradientGraphBuilder.Build(source, new BuildOptions { ClassActivation = true, ScoreOutput = score, ClassActivationLayer = first });
        Assert.Equal(first, model.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);

        const int images = 2;
        var input = Values(6, images * 2 * Side * Side);
        long[][] classIndex = [[1, 3], [0, 2]];
        using var ort = new Ort(Google.Protobuf.MessageExtensions.ToByteArray(model));
        var run = ort.Run(input, [images, 2, Side, Side], classIndex);
        var h = new TinyGraph([1, Channels, Side, Side]);
        using var head = new Ort(h.Finish(Head(h, SecondConv(h, h.X))));
        AssertGradCam(run[GradientModelContract.ClassActivationOutput].Values, run[first].Values, head, classIndex);
    }

    [Fact]
    public void Cam_layer_refuses_a_name_that_is_not_a_spatial_layer_on_the_path_and_names_those_that_are()
    {
        var g = new TinyGraph([1, 2, Side, Side]);
        var features = g.Op("Relu", [g.Op("Conv", [g.X, g.Constant([Channels, 2, 3, 3], ConvWeights)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }))]);
        var pooled = g.Op("GlobalAveragePool", [features]);
        var score = g.Op("Gemm", [g.Op("Flatten", [pooled], n => n.Set("axis", 1L)), g.Weights(Classes, Channels)], n => n.Set("transB", 1L));
        var source = g.Finish(score);
        foreach (var name in new[] { "no_such_tensor", pooled })
        {
            var error = Assert.Throws<LayerChoiceException>(() => GradientGraphBuilder.Build(source, new BuildOptions { ClassActivation = true, ClassActivationLayer = name }));
            Assert.StartsWith($"--cam-layer {name}: not a tensor of shape [N, C, h, w]", error.Message);
            Assert.Contains($"{features} [N,{Channels},{Side},{Side}]", error.Message);
        }
        Assert.Throws<LayerChoiceException>(() => GradientGraphBuilder.Build(source, new BuildOptions { ClassActivationLayer = features }));
    }

    private static double Score(Ort head, float[] features, int cls) =>
        head.Run(features, [1, Channels, Side, Side])[head.OutputNames[0]].Values[cls];

    [Fact]
    public void A_channels_last_tensor_is_not_taken_for_the_feature_layer()
    {
        // Conv [N, 8, 6, 6], then moved to channels last [N, 6, 6, 8] and pooled: the last 4-D tensor
        // read as [N, C, h, w] would have w = 8 > 6 pixels; the feature layer is the Conv's output.
        var g = new TinyGraph([1, 2, 6, 6]);
        var conv = g.Op("Conv", [g.X, g.Weights(8, 2, 3, 3)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }));
        var channelsLast = g.Op("Transpose", [conv], n => n.Set("perm", new long[] { 0, 2, 3, 1 }));
        var pooled = g.Op("ReduceMean", [channelsLast], n => { n.Set("axes", new long[] { 1, 2 }); n.Set("keepdims", 0L); });
        var score = g.Op("Gemm", [pooled, g.Weights(4, 8)], n => n.Set("transB", 1L));
        var model = GradientGraphBuilder.Build(g.Finish(score), new BuildOptions { ClassActivation = true });
        Assert.Equal(conv, model.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);
    }

    [Fact]
    public void A_tensor_shaped_unlike_a_downsampled_image_is_not_taken_for_the_feature_layer()
    {
        // A stride-2 Conv [N, 1, 4, 4] of an 8x8 image, then [N, 4, 4, 1] channels last: both fit inside
        // the image, but the second would shrink rows by 2 and columns by 8.
        var g = new TinyGraph([1, 2, 8, 8]);
        var conv = g.Op("Conv", [g.X, g.Weights(1, 2, 3, 3)], n => { n.Set("pads", new long[] { 1, 1, 1, 1 }); n.Set("strides", new long[] { 2, 2 }); });
        var channelsLast = g.Op("Transpose", [conv], n => n.Set("perm", new long[] { 0, 2, 3, 1 }));
        var pooled = g.Op("ReduceMean", [channelsLast], n => { n.Set("axes", new long[] { 1, 2 }); n.Set("keepdims", 0L); });
        var score = g.Op("Gemm", [pooled, g.Weights(4, 1)], n => n.Set("transB", 1L));
        var model = GradientGraphBuilder.Build(g.Finish(score), new BuildOptions { ClassActivation = true });
        Assert.Equal(conv, model.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);
    }

    [Fact]
    public void A_tensor_that_does_not_reach_the_score_is_not_the_feature_layer()
    {
        // Split's second half is left unused: it comes later in the graph than the half that is pooled.
        var g = new TinyGraph([1, 2, 6, 6]);
        var conv = g.Op("Conv", [g.X, g.Weights(4, 2, 3, 3)], n => n.Set("pads", new long[] { 1, 1, 1, 1 }));
        var halves = g.Node("Split", [conv, g.Ints(2, 2)], 2, n => n.Set("axis", 1L));
        var pooled = g.Op("Flatten", [g.Op("GlobalAveragePool", [halves[0]])], n => n.Set("axis", 1L));
        var score = g.Op("Gemm", [pooled, g.Weights(4, 2)], n => n.Set("transB", 1L));
        var model = GradientGraphBuilder.Build(g.Finish(score), new BuildOptions { ClassActivation = true });
        Assert.Equal(halves[0], model.MetadataProps.Single(p => p.Key == GradientModelContract.CamTensorKey).Value);
    }

    [Fact]
    public void Class_activation_is_refused_when_no_spatial_layer_reaches_the_score()
    {
        var g = new TinyGraph([1, 3, 1, 1]);
        var score = g.Op("Gemm", [g.Op("Flatten", [g.X], n => n.Set("axis", 1L)), g.Weights(4, 3)], n => n.Set("transB", 1L));
        var error = Assert.Throws<GraphException>(() => GradientGraphBuilder.Build(g.Finish(score), new BuildOptions { ClassActivation = true }));
        Assert.Contains("--cam", error.Message);
    }

    [Fact]
    public void Without_cam_the_model_has_no_class_activation_output()
    {
        var g = new TinyGraph([1, 2, Side, Side]);
        var features = g.Op("Relu", [g.Op("Conv", [g.X, g.Constant([Channels, 2, 3, 3], ConvWeights)])]);
        var model = GradientGraphBuilder.Build(g.Finish(Head(g, features)), new BuildOptions());
        Assert.DoesNotContain(model.Graph.Output, o => o.Name == GradientModelContract.ClassActivationOutput);
        Assert.DoesNotContain(model.MetadataProps, p => p.Key == GradientModelContract.CamTensorKey);
    }
}
