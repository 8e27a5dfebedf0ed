using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.ClassModels;

/// <summary>
/// Class models a person can recognise (Olah et al., Distill 2017): the class score S_c is climbed
/// with Adam in the <see cref="FourierParametrisation"/> rather than in pixels, and at each step the
/// model sees the image under a random <see cref="ImageTransform"/> (shift, scale, rotation), so that
/// only features that survive small transformations pay; the gradient model's input gradient goes
/// back through the transform's adjoint and the parametrisation's chain rule. Several classes run as
/// one batch, each image its own class, parameters and transform. No L2 penalty: the sigmoid bounds
/// the pixels. The recorded score is that of the untransformed image.
/// </summary>
public sealed class FourierClassModels(GradientRunner runner, ModelCard card)
{
    public IReadOnlyList<ClassModel> Run(IReadOnlyList<int> classes, FourierSettings settings, Action<int>? onStep = null)
    {
        int n = classes.Count, perImage = 3 * card.InputSize * card.InputSize;
        var parametrisation = new FourierParametrisation(card);
        var random = new Random(settings.Seed);
        var parameters = Enumerable.Range(0, n).Select(_ => parametrisation.RandomParameters(random, settings.InitialSd)).ToArray();
        var optimisers = Enumerable.Range(0, n).Select(_ => new AdamAscent(parametrisation.ParameterCount, settings.LearningRate)).ToArray();
        var classIndex = classes.Select(c => new[] { (long)(c + card.ClassOffset) }).ToArray();
        var recorded = Enumerable.Range(0, n).Select(_ => new List<double>()).ToArray();
        var images = new FourierParametrisation.Image[n];
        MakeImages();
        Record();
        for (int step = 1; step <= settings.Steps; step++)
        {
            // Drawn in order, one per image, so that a seed gives the same run however the work is spread.
            var transforms = Enumerable.Range(0, n)
                .Select(_ => ImageTransform.Random(card.InputSize, random, settings.Shift, settings.ScaleRange, settings.Degrees)).ToArray();
            var batch = new float[n * perImage];
            Parallel.For(0, n, b => transforms[b].Apply(ToFloats(images[b].Input)).CopyTo(batch, b * perImage));
            var gradient = runner.Gradients(batch, n, classIndex);
            Parallel.For(0, n, b =>
            {
                var inputGradient = transforms[b].ApplyAdjoint(gradient.AsSpan(b * perImage, perImage));
                optimisers[b].Step(parameters[b], parametrisation.Gradient(images[b], inputGradient));
            });
            MakeImages();
            if (step % settings.RecordEvery == 0 || step == settings.Steps) Record();
            onStep?.Invoke(step);
        }
        return classes.Select((c, b) => new ClassModel(c, ToFloats(images[b].Input), [.. recorded[b]], [.. recorded[b]])).ToList();

        void MakeImages() => Parallel.For(0, n, b => images[b] = parametrisation.ToImage(parameters[b]));

        void Record()
        {
            var scores = runner.Scores([.. images.SelectMany(i => ToFloats(i.Input))], n);
            int perScores = scores.Length / n;
            for (int b = 0; b < n; b++) recorded[b].Add(scores[b * perScores + classes[b] + card.ClassOffset]);
        }
    }

    private static float[] ToFloats(double[] values) => Array.ConvertAll(values, v => (float)v);
}
