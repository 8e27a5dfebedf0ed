using OpenCvSharp;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// Integrated Gradients from each baseline on the shared MobileNetV2, the method's own completeness
/// record against the forward part: its score difference is score(x) - score(baseline), its sum the
/// attributions' sum, and with enough steps the error is under the paper's 5%. The blurred baseline's
/// path needs the most (docs/speed.md has the errors at 32 steps). The midpoint rule, whose error falls
/// steadily with the steps; Gauss-Legendre's is smaller on most images but not on every one (docs/methods.md).
/// </summary>
[Trait("Category", "Slow")] // hundreds of MobileNetV2 gradient passes; README "fast loop" leaves it out
public class IntegratedGradientsCompletenessTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    [Theory]
    [InlineData(IntegratedGradientsBaseline.Black, 64)]
    [InlineData(IntegratedGradientsBaseline.Noise, 32)]
    [InlineData(IntegratedGradientsBaseline.Blur, 128)]
    public void The_methods_completeness_is_the_forward_score_difference_for_each_baseline(IntegratedGradientsBaseline kind, int steps)
    {
        using var runner = new GradientRunner(File.ReadAllBytes(model.Model), new DeviceChoice("cpu"), 2);
        Assert.False(runner.OutputIsSoftmax); // the scores below are the differentiated logits
        var card = runner.Info.StoredCard!;
        using var parrot = Cv2.ImRead(CommandLine.Shared("data", "photos", "parrot.jpg"));
        using var crop = parrot.Resize(new Size(224, 224), 0, 0, InterpolationFlags.Area);
        var tensor = new float[3 * 224 * 224];
        Preprocessing.ToTensor(crop, card.Pixels, tensor);
        var baseline = kind.For(tensor, 224, card.Pixels);
        var (scores, baselineScores) = (runner.Scores(tensor, 1), runner.Scores(baseline, 1));
        long[] classes = scores.Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(2).Select(p => (long)p.i).ToArray();

        var method = new IntegratedGradientsMethod(steps, kind, PathRule.Midpoint);
        var (maps, completeness) = method.MapsAndCompleteness(runner, new CropBatch(tensor, 1, [classes], 224, card.Pixels));
        var attributions = method.Attributions(runner, tensor, classes, baseline);
        for (int k = 0; k < 2; k++)
        {
            double difference = scores[classes[k]] - baselineScores[classes[k]];
            double sum = attributions[k].Sum(a => (double)a);
            Assert.Equal(difference, completeness![k].ScoreDifference, 4);
            Assert.Equal(sum, completeness[k].AttributionSum, 6);
            Assert.Equal(Math.Abs(sum - difference) / Math.Abs(difference), completeness[k].Error, 4);
            Assert.True(completeness[k].Error < Completeness.Sound, $"{kind}, class {k}: completeness error {completeness[k].Error:P1}");
            Assert.Equal(SaliencyMaps.FromGradient(attributions[k], 3, 224, 224), maps[k]);
        }
    }

}
