using System.CommandLine;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `--map` and the settings of the map methods that take any (Integrated Gradients, occlusion, RISE),
/// declared once for every command that computes maps (run, sanity): each range-checked as it is parsed
/// (help's range and default from the methods' own constants), and a setting of a method other than
/// the chosen one refused, so that an option never silently does nothing. One instance per command.
/// </summary>
public sealed class MapOptions
{
    // Sides above any model's input are refused here; the model's own side is checked when the model is open.
    private const int MostSide = 8192;

    public readonly Option<MapMethod> Map;
    private readonly Option<IntegratedGradientsBaseline> IgBaseline = Choice.Of("--ig-baseline",
        "integrated-gradients: the path's start, black, blur (the crop strongly blurred) or noise (uniform, seeded)", IntegratedGradientsBaseline.Black);
    private readonly Option<int> IgSteps = Number.Of("--ig-steps", "integrated-gradients: points on the path, one gradient pass each",
        1, IntegratedGradientsMethod.MostSteps, IntegratedGradientsMethod.DefaultSteps);
    private readonly Option<PathRule> IgRule = Choice.Of("--ig-rule",
        "integrated-gradients: where on the path and with what weights, gauss-legendre (quadrature) or midpoint (the Riemann sum of the paper)",
        Enum.GetValues<PathRule>().Select(r => (r.Word(), r)), IntegratedGradientsMethod.DefaultRule.Word());
    private readonly Option<int?> OcclusionWindow = Number.Open("--occlusion-window", "occlusion: window side in crop pixels, at most the model's input side",
        1, MostSide, $"{OcclusionMethod.DefaultWindow}");
    private readonly Option<int?> OcclusionStride = Number.Open("--occlusion-stride", "occlusion: window step in pixels, at most the window", 1, MostSide, "half the window");
    private readonly Option<int?> RiseMasks = Number.Open("--rise-masks", "rise: random masks per crop", 1, RiseMethod.MostMasks, $"{RiseMethod.DefaultMasks}");
    private readonly Option<int?> RiseCell = Number.Open("--rise-cell", "rise: mask cell size in crop pixels, at most the model's input side",
        1, MostSide, $"{RiseMethod.DefaultCell}");
    private readonly Option<double?> RiseKeep = Number.Open("--rise-keep", "rise: probability a cell is kept", 0.0, 1.0,
        $"{RiseMethod.DefaultKeep.ToString(System.Globalization.CultureInfo.InvariantCulture)}", excludeMin: true, excludeMax: true);
    private readonly Option<int?> RiseSeed = Number.Open("--rise-seed", "rise: seed of the masks", 0, int.MaxValue, "0");

    /// <param name="mapDescription">what --map chooses, in the command's words</param>
    public MapOptions(string mapDescription) =>
        Map = Choice.Of("--map", mapDescription, MapMethods.All.Select(m => (m.Name, m)), MapMethods.Default.Name);

    public IReadOnlyList<Option> All => [Map, IgBaseline, IgSteps, IgRule, OcclusionWindow, OcclusionStride, RiseMasks, RiseCell, RiseKeep, RiseSeed];

    /// <summary>The chosen method with its settings (a setting of another method refused).</summary>
    public MapMethod Read(ParseResult parse)
    {
        var method = parse.GetValue(Map)!;
        var settings = new (Option[] Options, string Method)[]
        {
            ([IgBaseline, IgSteps, IgRule], "integrated-gradients"),
            ([OcclusionWindow, OcclusionStride], "occlusion"),
            ([RiseMasks, RiseCell, RiseKeep, RiseSeed], "rise"),
        };
        foreach (var (options, name) in settings)
            if (method.Name != name && options.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false, Tokens.Count: > 0 }) is { } stray)
                throw new UsageException($"{stray.Name} goes with --map {name}, not --map {method.Name}");
        return method.Name switch
        {
            "integrated-gradients" => new IntegratedGradientsMethod(parse.GetValue(IgSteps), parse.GetValue(IgBaseline), parse.GetValue(IgRule)),
            "occlusion" => Occlusion(parse),
            "rise" => new RiseMethod(parse.GetValue(RiseMasks) ?? RiseMethod.DefaultMasks, parse.GetValue(RiseCell) ?? RiseMethod.DefaultCell,
                parse.GetValue(RiseKeep) ?? RiseMethod.DefaultKeep, parse.GetValue(RiseSeed) ?? 0),
            _ => method,
        };
    }

    private OcclusionMethod Occlusion(ParseResult parse)
    {
        int window = parse.GetValue(OcclusionWindow) ?? OcclusionMethod.DefaultWindow;
        int stride = OptionRanges.Check("--occlusion-stride", parse.GetValue(OcclusionStride) ?? Math.Max(1, window / 2), 1, window, why: "a larger step leaves pixels no window covers");
        return new OcclusionMethod(window, stride);
    }
}
