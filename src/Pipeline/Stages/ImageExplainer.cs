using System.Diagnostics;
using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Localisation;

namespace Pipeline.Stages;

public sealed record ClassResult(int ClassIndex, float Score, float[] Map, Located Located);

/// <summary>One image's results; it holds the decoded image (for the map overlays), so dispose it.</summary>
public sealed record ImageResult(Mat Image, IReadOnlyList<ClassResult> Top, ClassResult? GroundTruthClass,
    double SaliencySeconds, double LocalisationSeconds) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>
/// One image through every stage, in the order data flows: decode, crops, class scores (averaged
/// over the crops), gradients of the top classes (and of the ground-truth class when given),
/// saliency maps averaged over the crops at the original size, and a box per class.
/// </summary>
public sealed class ImageExplainer(GradientRunner runner, ModelCard card, int crops, int top, Localiser localiser, LocalisationOptions options, MapCache? cache = null)
{
    public ImageResult Explain(string path, int? groundTruthClass = null)
    {
        var watch = Stopwatch.StartNew();
        var image = ImageDecoder.Decode(path);
        try { return Explain(image, path, groundTruthClass, watch); }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private ImageResult Explain(Mat image, string path, int? groundTruthClass, Stopwatch watch)
    {
        var (best, average, wanted, maps) = cache?.Load(path, groundTruthClass) is { } cached
            ? (cached.Classes[..Math.Min(top, cached.Classes.Length)], cached.Scores, cached.Classes, cached.Maps)
            : Saliency(image, path, groundTruthClass);
        double saliencySeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var located = new Located[wanted.Length];
        Parallel.For(0, wanted.Length, k => located[k] = localiser.Locate(image, maps[k], options));
        var results = wanted.Select((c, k) => new ClassResult(c, average[c], maps[k], located[k])).ToList();
        return new ImageResult(image, results.Take(best.Length).ToList(),
            groundTruthClass is { } g ? results.First(r => r.ClassIndex == g) : null,
            saliencySeconds, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Top classes, averaged scores, the classes with maps (top, then the ground truth's), and their maps.</summary>
    private (int[] Best, float[] Average, int[] Wanted, float[][] Maps) Saliency(Mat image, string path, int? groundTruthClass)
    {
        var layout = CropLayout.For(image.Size(), card, crops);
        var tensor = layout.ToTensor(image, card.Pixels);
        int n = layout.Crops.Count;

        var (best, average) = ClassRanking.Rank(runner.Scores(tensor, n), n, card.ClassOffset, card.Classes.Count, top);
        var wanted = groundTruthClass is { } gt && !best.Contains(gt) ? [.. best, gt] : best;
        var gradients = runner.Gradients(tensor, n, Enumerable.Range(0, n).Select(_ => wanted.Select(c => (long)(c + card.ClassOffset)).ToArray()).ToArray());
        int side = layout.Side, perClass = 3 * side * side;
        var maps = wanted.Select((_, k) => layout.Average(
            Enumerable.Range(0, n).Select(c => SaliencyMaps.FromGradient(gradients.AsSpan((c * wanted.Length + k) * perClass, perClass), 3, side, side)).ToList(),
            image.Size())).ToArray();
        cache?.Save(path, wanted, average, maps);
        return (best, average, wanted, maps);
    }
}
