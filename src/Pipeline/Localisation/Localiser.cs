using System.Text.Json;
using GradientGraphs.Building;
using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>
/// One way to turn a class saliency map into a box (one class each, as Captum does for attributions),
/// with its own settings: only the chosen localiser's settings enter a run's fingerprint, run.json
/// and report.
/// </summary>
public abstract class Localiser
{
    /// <summary>The name `--localiser` takes.</summary>
    public abstract string Name { get; }

    /// <summary>The settings this localiser runs with (a record of its own).</summary>
    public abstract object Settings { get; }

    /// <summary>A box for the map (original image size, row-major), never null: degenerate maps take a documented fallback.</summary>
    public abstract Located Locate(Mat bgr, float[] map);

    /// <summary>The localiser with the settings left open filled in for the maps of a backward rule (<see cref="RuleDefaults"/>).</summary>
    public virtual Localiser ForRule(AttributionMethod rule) => this;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The settings as one line of camelCase JSON (the fingerprint's and run.json's form).</summary>
    public string SettingsJson() => JsonSerializer.Serialize(Settings, Settings.GetType(), Json);

    public override string ToString() => Name;

    /// <summary>Every localiser with its default settings; the first is the default.</summary>
    public static readonly IReadOnlyList<Localiser> All =
        [new MassBoxLocaliser(new()), new ThresholdBoxLocaliser(new()), new PaperLocaliser(new()), new QuantileBoxLocaliser(new()), new WholeImageLocaliser()];

    public static Localiser Default => All[0];

    public static Localiser Named(string name) =>
        All.FirstOrDefault(l => l.Name == name)
        ?? throw new UsageException($"--localiser '{name}': expected one of {string.Join(", ", All.Select(l => l.Name))}");
}

/// <summary>Baseline: the whole image.</summary>
public sealed class WholeImageLocaliser : Localiser
{
    /// <summary>The whole image has nothing to set.</summary>
    public sealed record Options;

    public override string Name => "whole";
    public override object Settings { get; } = new Options();

    public override Located Locate(Mat bgr, float[] map) => new(Box.Whole(bgr.Width, bgr.Height), "whole image");
}

/// <summary>The quantile-box localiser's settings.</summary>
public sealed record QuantileBoxOptions
{
    /// <summary>The box is that of the pixels above this saliency quantile.</summary>
    public double ForegroundQuantile { get; init; } = 0.95;
}

/// <summary>Baseline: the bounding box of the pixels above the foreground quantile (no segmentation).</summary>
public sealed class QuantileBoxLocaliser(QuantileBoxOptions options) : Localiser
{
    public override string Name => "quantile-box";
    public QuantileBoxOptions Options => options;
    public override object Settings => options;

    public override Located Locate(Mat bgr, float[] map)
    {
        float hi = MapMath.Quantile(map, options.ForegroundQuantile);
        var box = MapMath.BoundingBox(map.Select(v => v >= hi && v > 0).ToArray(), bgr.Width);
        return box is { } b ? new(b, "quantile box") : new(Box.Whole(bgr.Width, bgr.Height), "flat map: whole image");
    }
}

/// <summary>A box and how it was found (a method's normal path, or which fallback).</summary>
public sealed record Located(Box Box, string How);
