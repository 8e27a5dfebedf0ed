using System.Diagnostics;
using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Localisation;

namespace Pipeline.Saliency;

/// <summary>
/// One class's result: its score (the model's output averaged over the crops) and probability, its
/// map at the working resolution, and its box there and in original pixels.
/// </summary>
public sealed record ClassResult(int ClassIndex, float Score, float Probability, float[] Map, Located Located, Box OriginalBox)
{
    /// <summary>Integrated Gradients' completeness over the crops; null for other methods and for maps from the cache.</summary>
    public Completeness? Completeness { get; init; }
}

/// <summary>One image's results; it holds the image at the working resolution (for the map overlays), so dispose it.</summary>
public sealed record ImageResult(Mat Image, ImageHeader Original, IReadOnlyList<ClassResult> Top, ClassResult? GroundTruthClass,
    double SaliencySeconds, double LocalisationSeconds) : IDisposable
{
    public void Dispose() => Image.Dispose();
}

/// <summary>What a run asks of each image.</summary>
public sealed record ExplainSettings(int Crops, int Top, Localiser Localiser, int WorkingSide, long MaxPixels)
{
    /// <summary>SmoothGrad copies and noise (plain gradient maps by default).</summary>
    public SmoothGrad Smooth { get; init; } = SmoothGrad.Plain;

    /// <summary>The map boxes are drawn from (`--map`): the saliency map (default), Grad-CAM, or their product.</summary>
    public MapMethod Map { get; init; } = MapMethods.Default;

    /// <summary>The method that makes each crop's maps: the chosen map, with SmoothGrad around it when asked.</summary>
    public MapMethod Method => MapMethods.WithSmoothing(Map, Smooth);

    /// <summary>
    /// Classes per backward pass. ONNX Runtime's memory grows with crops x classes; the top 5 and the
    /// ground-truth class go in one pass, larger --top values in several.
    /// </summary>
    public const int ClassesPerPass = 6;

    /// <summary>
    /// Classes per backward pass for an image with this many crops: an elongated image's extra crops
    /// take classes off the pass, so crops x classes stays within 10 crops' worth.
    /// </summary>
    public static int ClassesPerPassFor(int crops) => Math.Clamp(10 * ClassesPerPass / crops, 1, ClassesPerPass);

    /// <summary>The most crops x classes one image puts in a backward pass, over the crop counts --crops can give.</summary>
    public static int MostPerPass(int crops, int classes) =>
        Enumerable.Range(crops, CropLayout.MostCrops(crops) - crops + 1).Where(n => n == crops || n % 2 == 0)
            .Max(n => n * Math.Min(classes, ClassesPerPassFor(n)));
}

/// <summary>
/// One image through every stage, in the order data flows: check and decode, crops, class scores
/// (averaged over the crops), gradients of the top classes (and of the ground-truth class when
/// given), saliency maps averaged over the crops at the working resolution, and a box per class,
/// mapped back to original pixels.
/// </summary>
public sealed class ImageExplainer(GradientRunner runner, ModelCard card, ExplainSettings settings, MapCache? cache = null)
{
    public ImageResult Explain(string path, int? groundTruthClass = null)
    {
        var watch = Stopwatch.StartNew();
        var header = ImageProbe.Read(path);
        var layout = CropLayout.For(new Size(header.Width, header.Height), card, settings.Crops);
        var working = WorkingResolution.For(header, settings.WorkingSide);
        var cacheKey = cache?.KeyFor(path, layout.Crops.Count);
        var cached = cacheKey == null ? null : cache!.Load(cacheKey, groundTruthClass, working);
        float[]? tensor = null;
        Mat image;
        using (var decoded = ImageDecoder.Decode(path, header, new Size(Math.Max(layout.Rescaled.Width, working.Width), Math.Max(layout.Rescaled.Height, working.Height)), settings.MaxPixels, out var decoderWarning))
        {
            if (decoderWarning != null) header = header with { Warning = header.Warning is { } w ? $"{w}; {decoderWarning}" : decoderWarning };
            // The full decode is dropped as soon as the crops and the working image are made.
            if (cached == null) tensor = layout.ToTensor(decoded, card.Pixels);
            image = decoded.Width == working.Width && decoded.Height == working.Height ? decoded.Clone()
                : decoded.Resize(working, 0, 0, InterpolationFlags.Area);
        }
        try { return Explain(image, header, layout, tensor, cached, cacheKey, groundTruthClass, watch); }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private ImageResult Explain(Mat image, ImageHeader header, CropLayout layout, float[]? tensor, CachedMaps? cached, string? cacheKey,
        int? groundTruthClass, Stopwatch watch)
    {
        var working = image.Size();
        var (best, average, wanted, maps, completeness) = cached != null
            ? (cached.Classes[..Math.Min(settings.Top, cached.Classes.Length)], cached.Scores, cached.Classes, cached.Maps, null)
            : Saliency(layout, tensor!, working, groundTruthClass, cacheKey);
        double saliencySeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var located = new Located[wanted.Length];
        Parallel.For(0, wanted.Length, k => located[k] = settings.Localiser.Locate(image, maps[k]));
        var probabilities = ClassProbabilities.FromScores(average, runner.OutputIsSoftmax);
        var results = wanted.Select((c, k) => new ClassResult(c, average[c], probabilities[c], maps[k], located[k],
            located[k].Box.Rescale(working.Width, working.Height, header.Width, header.Height)) { Completeness = completeness?[k] }).ToList();
        return new ImageResult(image, header, results.Take(best.Length).ToList(),
            groundTruthClass is { } g ? results.First(r => r.ClassIndex == g) : null,
            saliencySeconds, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Top classes, averaged scores, the classes with maps (top, then the ground truth's), their maps, and their completeness where the method checks it.</summary>
    private (int[] Best, float[] Average, int[] Wanted, float[][] Maps, Completeness[]? Completeness) Saliency(CropLayout layout, float[] tensor, Size working, int? groundTruthClass, string? cacheKey)
    {
        int n = layout.Crops.Count;
        var (best, average) = ClassRanking.Rank(runner.Scores(tensor, n), n, card.ClassOffset, card.Classes.Count, settings.Top);
        var wanted = groundTruthClass is { } gt && !best.Contains(gt) ? [.. best, gt] : best;
        var maps = new float[wanted.Length][];
        Completeness[]? completeness = null;
        int side = layout.Side;
        var method = settings.Method;
        // As few passes as the limit allows, the classes spread evenly over them (3 + 3, not 4 + 2): a pass's memory follows its size.
        int passes = (wanted.Length + ExplainSettings.ClassesPerPassFor(n) - 1) / ExplainSettings.ClassesPerPassFor(n);
        foreach (var chunk in wanted.Select((c, k) => (c, k)).Chunk((wanted.Length + passes - 1) / passes))
        {
            var classIndex = Enumerable.Range(0, n).Select(_ => chunk.Select(p => (long)(p.c + card.ClassOffset)).ToArray()).ToArray();
            var (cropMaps, checks) = method.MapsAndCompleteness(runner, new CropBatch(tensor, n, classIndex, side, card.Pixels));
            for (int j = 0; j < chunk.Length; j++)
            {
                maps[chunk[j].k] = layout.Average(Enumerable.Range(0, n).Select(c => cropMaps[c * chunk.Length + j]).ToList(), working);
                if (checks != null)
                    (completeness ??= new Completeness[wanted.Length])[chunk[j].k] = Completeness.Combine(Enumerable.Range(0, n).Select(c => checks[c * chunk.Length + j]).ToList());
            }
        }
        if (cacheKey != null) cache!.Save(cacheKey, wanted, average, maps);
        return (best, average, wanted, maps, completeness);
    }
}
