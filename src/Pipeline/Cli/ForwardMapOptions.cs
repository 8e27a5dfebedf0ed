using System.CommandLine;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `run`'s options of the forward-only map methods (--map occlusion, --map rise), each range-checked
/// as it is parsed (help's range and default from the same figures and the methods' own defaults)
/// and refused beside another --map, so that an option never silently does nothing.
/// </summary>
public static class ForwardMapOptions
{
    // Sides above any model's input are refused here; the model's own side is checked when the model is open.
    private const int MostSide = 8192;
    private static readonly Option<int?> OcclusionWindow = Number.Open("--occlusion-window", "occlusion: window side in crop pixels, at most the model's input side",
        1, MostSide, $"{OcclusionMethod.DefaultWindow}");
    private static readonly Option<int?> OcclusionStride = Number.Open("--occlusion-stride", "occlusion: window step in pixels, at most the window", 1, MostSide, "half the window");
    private static readonly Option<int?> RiseMasks = Number.Open("--rise-masks", "rise: random masks per crop", 1, RiseMethod.MostMasks, $"{RiseMethod.DefaultMasks}");
    private static readonly Option<int?> RiseCell = Number.Open("--rise-cell", "rise: mask cell size in crop pixels, at most the model's input side",
        1, MostSide, $"{RiseMethod.DefaultCell}");
    private static readonly Option<double?> RiseKeep = Number.Open("--rise-keep", "rise: probability a cell is kept", 0.0, 1.0,
        $"{RiseMethod.DefaultKeep.ToString(System.Globalization.CultureInfo.InvariantCulture)}", excludeMin: true, excludeMax: true);
    private static readonly Option<int?> RiseSeed = Number.Open("--rise-seed", "rise: seed of the masks", 0, int.MaxValue, "0");

    public static readonly IReadOnlyList<Option> All = [OcclusionWindow, OcclusionStride, RiseMasks, RiseCell, RiseKeep, RiseSeed];

    /// <summary>The chosen method with its options, or the method unchanged when it takes none (an option of another method refused).</summary>
    public static MapMethod Configure(MapMethod method, ParseResult parse)
    {
        var occlusion = new Option[] { OcclusionWindow, OcclusionStride };
        var rise = new Option[] { RiseMasks, RiseCell, RiseKeep, RiseSeed };
        foreach (var (options, name) in new[] { (occlusion, "occlusion"), (rise, "rise") })
            if (method.Name != name && options.FirstOrDefault(o => parse.GetResult(o) is { Tokens.Count: > 0 }) is { } stray)
                throw new UsageException($"{stray.Name} goes with --map {name}, not --map {method.Name}");
        return method.Name switch
        {
            "occlusion" => Occlusion(parse),
            "rise" => new RiseMethod(parse.GetValue(RiseMasks) ?? RiseMethod.DefaultMasks, parse.GetValue(RiseCell) ?? RiseMethod.DefaultCell,
                parse.GetValue(RiseKeep) ?? RiseMethod.DefaultKeep, parse.GetValue(RiseSeed) ?? 0),
            _ => method,
        };
    }

    private static OcclusionMethod Occlusion(ParseResult parse)
    {
        int window = parse.GetValue(OcclusionWindow) ?? OcclusionMethod.DefaultWindow;
        int stride = OptionRanges.Check("--occlusion-stride", parse.GetValue(OcclusionStride) ?? Math.Max(1, window / 2), 1, window, why: "a larger step leaves pixels no window covers");
        return new OcclusionMethod(window, stride);
    }
}
