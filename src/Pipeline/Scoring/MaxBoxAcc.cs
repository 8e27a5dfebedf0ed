using Pipeline.Localisation;
using Pipeline.Outputs;

namespace Pipeline.Scoring;

/// <summary>One IoU threshold's accuracy curve: the fraction of images localised at each map threshold, its maximum and where.</summary>
public sealed record BoxAccuracyCurve([property: System.Text.Json.Serialization.JsonPropertyName("iou")] double IoU, double[] Accuracy, double Max, double BestTau);

/// <summary>MaxBoxAcc v1 (one box, IoU 0.5) and v2 (every contour's box, mean over IoU 0.3, 0.5, 0.7), with their curves.</summary>
public sealed record MaxBoxAccScore(int Images, int Missing, double[] Thresholds, BoxAccuracyCurve V1, IReadOnlyList<BoxAccuracyCurve> V2)
{
    public double MaxBoxAccV1 => V1.Max;
    public double MaxBoxAccV2 => V2.Average(c => c.Max);
}

/// <summary>
/// MaxBoxAcc (Choe et al., "Evaluating Weakly Supervised Object Localization Methods Right", CVPR 2020),
/// computed as the reference code wsolevaluation computes it. Each image's map, 224x224 in [0, 1], gives
/// boxes at the thresholds tau = 0, 0.01, ..., 0.99 (<see cref="ContourBoxes"/>); the ground-truth boxes
/// are brought to 224x224 as the reference's resize_bbox does (each coordinate times 224 / the image's
/// side, truncated); an image is correct at tau when a box has IoU &gt;= delta (inclusive pixel areas,
/// +1, as the reference) with a ground-truth box. Accuracy at tau is the fraction of images correct, an
/// image without a map counting as wrong; MaxBoxAcc is the maximum over tau.
/// </summary>
public sealed class MaxBoxAcc
{
    // Add may run on several threads at once (images in parallel): the counts are incremented atomically.
    public const int Side = ProtocolMap.Side;
    public static readonly double[] Thresholds = Enumerable.Range(0, 100).Select(k => k * 0.01).ToArray(); // numpy.arange(0, 1, 0.01)
    public const double V1IoU = 0.5;
    public static readonly double[] V2IoUs = [0.3, 0.5, 0.7];

    private readonly int[] _v1 = new int[Thresholds.Length];
    private readonly int[][] _v2 = V2IoUs.Select(_ => new int[Thresholds.Length]).ToArray();
    private int _images, _missing;

    /// <summary>A ground-truth box of an image of the given size, on the 224x224 map (reference: resize_bbox).</summary>
    public static Box ToProtocol(Box box, int imageWidth, int imageHeight) => new(
        (int)(box.XMin * (double)Side / imageWidth), (int)(box.YMin * (double)Side / imageHeight),
        (int)(box.XMax * (double)Side / imageWidth), (int)(box.YMax * (double)Side / imageHeight));

    /// <summary>One image: its normalised 224x224 map (row-major) and its ground-truth boxes already at 224x224.</summary>
    public void Add(double[] map, IReadOnlyList<Box> truth)
    {
        if (map.Length != Side * Side) throw new ArgumentException($"a {Side}x{Side} map expected, got {map.Length} values");
        using var boxes = new ContourBoxes(map, Side, Side);
        for (int k = 0; k < Thresholds.Length; k++)
        {
            var (largest, all) = boxes.At(Thresholds[k]);
            if (BestIoU([largest], truth) >= V1IoU) Interlocked.Increment(ref _v1[k]);
            double best = BestIoU(all, truth);
            for (int d = 0; d < V2IoUs.Length; d++)
                if (best >= V2IoUs[d]) Interlocked.Increment(ref _v2[d][k]);
        }
        Interlocked.Increment(ref _images);
    }

    /// <summary>An image without a map: wrong at every threshold.</summary>
    public void AddMissing()
    {
        Interlocked.Increment(ref _images);
        Interlocked.Increment(ref _missing);
    }

    /// <summary>Every ground-truth image (all its boxes, any class), its map from `load` (null: missing), images in parallel.</summary>
    public static MaxBoxAccScore Evaluate(IReadOnlyDictionary<string, List<LabelledBox>> truth, Func<string, (double[] Map, int Width, int Height)?> load)
    {
        var score = new MaxBoxAcc();
        try
        {
            Parallel.ForEach(truth, image =>
            {
                if (load(image.Key) is { } m) score.Add(m.Map, image.Value.Select(b => ToProtocol(b.Box, m.Width, m.Height)).ToList());
                else score.AddMissing();
            });
        }
        catch (AggregateException e)
        {
            // A bad map file is reported as itself (one line naming the file), not as a parallel loop's failure.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return score.Score();
    }

    public static double BestIoU(IReadOnlyList<Box> boxes, IReadOnlyList<Box> truth) =>
        boxes.SelectMany(b => truth.Select(t => b.IoU(t))).DefaultIfEmpty(0).Max();

    public MaxBoxAccScore Score()
    {
        if (_images == 0) throw new InvalidOperationException("no images");
        return new MaxBoxAccScore(_images, _missing, Thresholds, Curve(V1IoU, _v1), V2IoUs.Select((d, i) => Curve(d, _v2[i])).ToList());
    }

    private BoxAccuracyCurve Curve(double iou, int[] correct)
    {
        var accuracy = correct.Select(c => (double)c / _images).ToArray();
        int best = Array.IndexOf(accuracy, accuracy.Max()); // the first (lowest) threshold of the maximum
        return new BoxAccuracyCurve(iou, accuracy, accuracy[best], Thresholds[best]);
    }
}
