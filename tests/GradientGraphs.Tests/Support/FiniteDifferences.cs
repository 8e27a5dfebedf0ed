using Google.Protobuf;
using GradientGraphs.Building;

namespace GradientGraphs.Tests.Support;

/// <summary>
/// The independent truth for a gradient rule: central finite differences of the source model,
/// run by ONNX Runtime, against the gradient model's input_grad, for several images and classes.
/// It fails when an op it is told to exercise is not on the path from the image to the score, or
/// when the gradient is zero (or too small for the tolerance to mean anything) for any image and class.
/// </summary>
public static class FiniteDifferences
{
    /// <summary>Differences below this are not compared (float32 rounding of the scores).</summary>
    private const double AbsoluteSlack = 1e-4;

    /// <summary>The smallest largest |gradient| a check accepts: the slack must stay below 1% of it.</summary>
    private const double SmallestScale = 100 * AbsoluteSlack;

    public static void Check(byte[] source, long[] imageShape, string[] exercises, string? scoreOutput = null, int images = 2, int classes = 3,
        double step = 1e-3, double tolerance = 3e-3, int seed = 7, string? scoreTensorOutput = null)
    {
        RequireOnPath(source, exercises, scoreTensorOutput ?? scoreOutput);
        var gradientModel = GradientGraphBuilder.Build(source, new BuildOptions { ScoreOutput = scoreOutput }).ToByteArray();
        var random = new Random(seed);
        long perImage = imageShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var x = Enumerable.Range(0, (int)(perImage * images)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        long[] batchShape = [images, .. imageShape[1..]];

        using var sourceSession = new Ort(source);
        var output = scoreOutput ?? sourceSession.OutputNames.Single();
        float[] Score(float[] image) => sourceSession.Run(image, imageShape)[scoreTensorOutput ?? output].Values;
        int scoreCount = Score(x[..(int)perImage]).Length;
        var classIndex = Enumerable.Range(0, images).Select(_ => Enumerable.Range(0, classes).Select(_ => (long)random.Next(scoreCount)).ToArray()).ToArray();

        using var gradientSession = new Ort(gradientModel);
        var result = gradientSession.Run(x, batchShape, classIndex);
        var (grad, gradShape) = result["input_grad"];
        Assert.Equal([images, classes, .. imageShape[1..]], gradShape);

        for (int n = 0; n < images; n++)
        {
            var image = x.AsSpan((int)(n * perImage), (int)perImage).ToArray();
            // The forward outputs are the source model's, per image.
            var expected = sourceSession.Run(image, imageShape)[output].Values;
            var actual = result[output].Values.AsSpan(n * expected.Length, expected.Length).ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"forward output {output}[{n},{i}]: {actual[i]} vs source {expected[i]}");

            var numeric = new double[classes, perImage];
            for (int j = 0; j < perImage; j++)
            {
                var plus = (float[])image.Clone();
                var minus = (float[])image.Clone();
                plus[j] += (float)step;
                minus[j] -= (float)step;
                var (sp, sm) = (Score(plus), Score(minus));
                double actualStep = (double)plus[j] - minus[j];
                for (int k = 0; k < classes; k++)
                    numeric[k, j] = (sp[classIndex[n][k]] - (double)sm[classIndex[n][k]]) / actualStep;
            }
            for (int k = 0; k < classes; k++)
            {
                double scale = 0, worst = 0;
                int worstAt = -1;
                for (int j = 0; j < perImage; j++)
                {
                    double analytic = grad[(n * classes + k) * perImage + j];
                    // A NaN would pass the comparison below (NaN > worst is false).
                    if (!double.IsFinite(analytic)) Assert.Fail($"image {n}, class {classIndex[n][k]}: input_grad is {analytic} at element {j}");
                    scale = Math.Max(scale, Math.Abs(numeric[k, j]));
                    if (Math.Abs(analytic - numeric[k, j]) > worst) { worst = Math.Abs(analytic - numeric[k, j]); worstAt = j; }
                }
                Assert.True(scale >= SmallestScale,
                    $"image {n}, class {classIndex[n][k]}: the largest finite difference is {scale:g3}; the test graph does not exercise the rule");
                if (worst > tolerance * scale + AbsoluteSlack)
                    Assert.Fail($"image {n}, class {classIndex[n][k]}: |analytic - numeric| = {worst:g4} at element {worstAt} " +
                    $"(analytic {grad[(n * classes + k) * perImage + worstAt]:g6}, numeric {numeric[k, worstAt]:g6}, scale {scale:g4})");
            }
        }
    }

    /// <summary>Every op in exercises has a node on the path from the image to the score.</summary>
    private static void RequireOnPath(byte[] source, string[] exercises, string? score)
    {
        Assert.NotEmpty(exercises);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(source).Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var image = graph.Input.Single(i => !initializers.Contains(i.Name)).Name;
        var path = GradientPath.Find(graph, image, score ?? graph.Output.Single().Name);
        foreach (var op in exercises)
            Assert.True(path.Nodes.Any(n => n.OpType == op), $"no {op} lies on the path from the image to the score: the test does not exercise its rule");
    }
}
