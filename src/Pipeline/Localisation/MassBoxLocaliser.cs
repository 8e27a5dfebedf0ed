using System.Text.Json.Serialization;
using GradientGraphs.Building;
using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>The mass-box localiser's settings; sigma and power left open take the model's rule's defaults (<see cref="RuleDefaults"/>).</summary>
public sealed record MassBoxOptions
{
    /// <summary>Gaussian smoothing of the map, sigma as a fraction of the image's shorter side.</summary>
    public double? BoxSigma { get; init; }
    /// <summary>The share of the saliency mass left outside on each side.</summary>
    public double MassTail { get; init; } = 0.05;
    /// <summary>The map (above its floor) is raised to this power first.</summary>
    public double? MassPower { get; init; }

    /// <summary>The sigma in use: as set, or the gradient rule's default where no rule filled it in.</summary>
    [JsonIgnore] public double BoxSigmaValue => BoxSigma ?? RuleDefaults.BoxSigma(AttributionMethod.Gradient);
    /// <summary>The power in use: as set, or the gradient rule's default where no rule filled it in.</summary>
    [JsonIgnore] public double MassPowerValue => MassPower ?? RuleDefaults.MassPower(AttributionMethod.Gradient);

    public MassBoxOptions ForRule(AttributionMethod rule) =>
        this with { BoxSigma = BoxSigma ?? RuleDefaults.BoxSigma(rule), MassPower = MassPower ?? RuleDefaults.MassPower(rule) };
}

/// <summary>
/// The box that holds the central part of the saliency mass: the map (smoothed, BoxSigma)
/// is summed along rows and along columns, and each side of the box is where the cumulative mass
/// passes MassTail (left, top) or 1 - MassTail (right, bottom). Scattered speckle
/// far from the object moves a bounding box of thresholded pixels all the way out; it moves these
/// quantiles only by its share of the mass. Flat map: whole image.
/// The default method. Its settings by backward rule were chosen on the 500 ILSVRC tune images
/// (docs/results.md): gradient maps sigma 2% of the shorter side and power 2, guided
/// and deconvnet maps sigma 5% and power 1; 5% of the mass outside each side for all.
/// </summary>
public sealed class MassBoxLocaliser(MassBoxOptions options) : Localiser
{
    public override string Name => "mass-box";
    public MassBoxOptions Options => options;
    public override object Settings => options;
    public override Localiser ForRule(AttributionMethod rule) => new MassBoxLocaliser(options.ForRule(rule));

    public override Located Locate(Mat bgr, float[] map)
    {
        int w = bgr.Width, h = bgr.Height;
        var smoothed = MapMath.Smooth(map, w, h, options.BoxSigmaValue);
        float min = smoothed.Min();
        if (smoothed.Max() <= min) return new(Box.Whole(w, h), "flat map: whole image");
        var columns = new double[w];
        var rows = new double[h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            // Mass above the map's floor, raised to a power to favour the strongest evidence.
            double v = Math.Pow(smoothed[y * w + x] - min, options.MassPowerValue);
            columns[x] += v;
            rows[y] += v;
        }
        var (left, right) = Span(columns, options.MassTail);
        var (top, bottom) = Span(rows, options.MassTail);
        return new(new Box(left, top, right, bottom), "mass box");
    }

    /// <summary>First index where the cumulative share passes tail, last index before it passes 1 - tail.</summary>
    private static (int Begin, int End) Span(double[] mass, double tail)
    {
        double total = mass.Sum(), running = 0;
        int begin = 0, end = mass.Length - 1;
        for (int i = 0; i < mass.Length; i++)
        {
            running += mass[i];
            if (running / total <= tail) begin = i + 1;
            if (running / total < 1 - tail) end = i + 1;
        }
        return (Math.Min(begin, mass.Length - 1), Math.Clamp(end, Math.Min(begin, mass.Length - 1), mass.Length - 1));
    }
}
