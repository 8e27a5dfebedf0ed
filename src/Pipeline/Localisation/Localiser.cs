using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>One way to turn a class saliency map into a box (one class each, as Captum does for attributions).</summary>
public abstract class Localiser
{
    /// <summary>The name `--method` takes.</summary>
    public abstract string Name { get; }

    /// <summary>A box for the map (original image size, row-major), never null: degenerate maps take a documented fallback.</summary>
    public abstract Located Locate(Mat bgr, float[] map, LocalisationOptions options);

    public static readonly IReadOnlyList<Localiser> All =
        [new MassBoxLocaliser(), new ThresholdBoxLocaliser(), new PaperLocaliser(), new QuantileBoxLocaliser(), new WholeImageLocaliser()];

    public static Localiser Named(string name) =>
        All.FirstOrDefault(l => l.Name == name)
        ?? throw new UsageException($"--method '{name}': expected one of {string.Join(", ", All.Select(l => l.Name))}");
}

/// <summary>Baseline: the whole image.</summary>
public sealed class WholeImageLocaliser : Localiser
{
    public override string Name => "whole";

    public override Located Locate(Mat bgr, float[] map, LocalisationOptions options) => new(Box.Whole(bgr.Width, bgr.Height), "whole image");
}

/// <summary>Baseline: the bounding box of the pixels above the foreground quantile (no segmentation).</summary>
public sealed class QuantileBoxLocaliser : Localiser
{
    public override string Name => "quantile-box";

    public override Located Locate(Mat bgr, float[] map, LocalisationOptions options)
    {
        float hi = MapMath.Quantile(map, options.ForegroundQuantile);
        var box = MapMath.BoundingBox(map.Select(v => v >= hi && v > 0).ToArray(), bgr.Width);
        return box is { } b ? new(b, "quantile box") : new(Box.Whole(bgr.Width, bgr.Height), "flat map: whole image");
    }
}
