using System.Diagnostics;
using Onnx;
using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Sanity;

/// <summary>What `Pipeline sanity` was asked.</summary>
public sealed record SanitySettings
{
    public MapMethod Method { get; init; } = MapMethods.Default;
    /// <summary>Blocks of layers (0: every layer alone).</summary>
    public int Blocks { get; init; } = 8;
    public bool WithNorms { get; init; }
    public bool Cascade { get; init; } = true;
    public bool Independent { get; init; } = true;
    public int Seed { get; init; }
    public double Threshold { get; init; } = 0.5;
}

/// <summary>
/// The model randomisation test of Adebayo et al. (2018), "Sanity Checks for Saliency Maps": the
/// trained model's maps of each image's best class, then the maps of models whose layers are
/// randomised from the output down (cascade) and one block at a time (independent), each compared
/// with the trained maps. A map method that explains the model must change as its weights go.
/// The first row rebuilds the trained model the way every randomised one is built, and its maps must
/// be the user's model's own: otherwise the rows would measure the rebuild, not the randomisation.
/// </summary>
public sealed class SanityCheck(SanitySettings settings, DeviceChoice device, int threads, Action<string> progress)
{
    /// <summary>The rebuilt trained model's maps must rank pixels as the user's model does, to this.</summary>
    private const double RebuildAgreement = 0.999;

    public SanityReport Run(byte[] gradientModel, string modelName, ModelCard card, IReadOnlyList<SanityImage> images)
    {
        var model = ModelProto.Parser.ParseFrom(gradientModel);
        using var runner = new GradientRunner(gradientModel, device, threads, modelName);
        if (settings.Method.NeedsCam && runner.CamShape == null)
            throw new InputException($"{modelName}: --map {settings.Method.Name} needs the model's Grad-CAM output; export it with `Pipeline export-grad --cam`");
        var rebuild = new GradientRebuild(model, runner.Info, settings.WithNorms);
        if (rebuild.Layers.Count == 0)
            throw new InputException($"{modelName}: no layer with float initializer weights (Conv, Gemm, MatMul) to randomise");
        var steps = settings.Blocks == 0 ? LayerSteps.Every(rebuild.Layers) : LayerSteps.Blocks(rebuild.Layers, settings.Blocks);
        int side = card.InputSize;

        var tensor = images.SelectMany(i => i.Tensor).ToArray();
        var scores = runner.Scores(tensor, images.Count);
        int perImage = scores.Length / images.Count;
        var best = Enumerable.Range(0, images.Count)
            .Select(i => ClassRanking.Rank(scores[(i * perImage)..((i + 1) * perImage)], 1, card.ClassOffset, card.Classes.Count, 1).Top[0]).ToArray();
        var classes = best.Select(c => (long)(c + card.ClassOffset)).ToArray();
        var trained = SanityMaps.For(runner, settings.Method, images, classes, card.Pixels, side);

        var results = new List<StepResult>();
        StepResult Step(SanityMode mode, int number, string label, int[] layers)
        {
            var watch = Stopwatch.StartNew();
            var bytes = rebuild.With(layers, settings.Seed);
            using var randomised = new GradientRunner(bytes, device, threads, modelName);
            var maps = SanityMaps.For(randomised, settings.Method, images, classes, card.Pixels, side);
            var similarity = Enumerable.Range(0, images.Count).AsParallel().AsOrdered()
                .Select(i => ImageSimilarity.Of(trained.Maps[i], trained.Signed?[i], maps.Maps[i], maps.Signed?[i], side)).ToList();
            var result = new StepResult(mode, number, label, layers.Length, maps.Maps, similarity, watch.Elapsed.TotalSeconds);
            progress($"{Name(mode)} {number}/{steps.Count} {label}: rank correlation {result.Mean(s => s.SpearmanAbsolute):F3} ({result.Seconds:F1} s)");
            return result;
        }

        var control = Step(SanityMode.Trained, 0, "none (rebuilt)", []);
        double agreement = control.Images.Min(s => double.IsNaN(s.SpearmanAbsolute) ? 1 : s.SpearmanAbsolute);
        if (agreement < RebuildAgreement)
            throw new InputException($"{modelName}: rebuilt from its forward part, its maps differ from its own (rank correlation {agreement:F4}); export it again with this version's export-grad");
        results.Add(control);

        var numbers = steps.Select(s => s.Layers.Select(l => IndexOf(rebuild.Layers, l)).ToArray()).ToList();
        if (settings.Cascade)
            for (int s = 0; s < steps.Count; s++)
                results.Add(Step(SanityMode.Cascade, s + 1, steps[s].Label, numbers.Take(s + 1).SelectMany(n => n).ToArray()));
        if (settings.Independent)
            for (int s = 0; s < steps.Count; s++)
                results.Add(Step(SanityMode.Independent, s + 1, steps[s].Label, numbers[s]));

        return new SanityReport(settings.Method.Name, runner.Info.Rule.ToString().ToLowerInvariant(), images.Select(i => i.Id).ToList(),
            best.Select(c => card.Classes[c].Name.Split(',')[0]).ToList(), trained.Maps, results, side, settings.Threshold, rebuild.Layers.Count);
    }

    public static string Name(SanityMode mode) => mode.ToString().ToLowerInvariant();

    private static int IndexOf(IReadOnlyList<WeightedLayer> layers, WeightedLayer layer)
    {
        for (int i = 0; i < layers.Count; i++)
            if (ReferenceEquals(layers[i], layer)) return i;
        throw new InvalidOperationException($"layer {layer.Name} not in the list");
    }
}
