using System.CommandLine;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `run`'s options of the forward-only map methods (--map occlusion, --map rise), each range-checked
/// and refused beside another --map, so that an option never silently does nothing.
/// </summary>
public static class ForwardMapOptions
{
    private static readonly Option<int?> OcclusionWindow = new("--occlusion-window") { Description = "occlusion: window side in crop pixels, 1 to the model's input side (default 32)" };
    private static readonly Option<int?> OcclusionStride = new("--occlusion-stride") { Description = "occlusion: window step in pixels, 1 to the window (default half the window: 16)" };
    private static readonly Option<int?> RiseMasks = new("--rise-masks") { Description = "rise: random masks per crop, 1 to 100000 (default 1000)" };
    private static readonly Option<int?> RiseCell = new("--rise-cell") { Description = "rise: mask cell size in crop pixels, 1 to the model's input side (default 32: a 7x7 grid at 224)" };
    private static readonly Option<double?> RiseKeep = new("--rise-keep") { Description = "rise: probability a cell is kept, in (0, 1) (default 0.5)" };
    private static readonly Option<int?> RiseSeed = new("--rise-seed") { Description = "rise: seed of the masks, 0 to 2147483647 (default 0)" };

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
            "rise" => new RiseMethod(
                OptionRanges.Check("--rise-masks", parse.GetValue(RiseMasks) ?? 1000, 1, 100_000),
                OptionRanges.Check("--rise-cell", parse.GetValue(RiseCell) ?? 32, 1, 8192),
                OptionRanges.Check("--rise-keep", parse.GetValue(RiseKeep) ?? 0.5, 0, 1, excludeMin: true, excludeMax: true),
                OptionRanges.Check("--rise-seed", parse.GetValue(RiseSeed) ?? 0, 0, int.MaxValue)),
            _ => method,
        };
    }

    private static OcclusionMethod Occlusion(ParseResult parse)
    {
        int window = OptionRanges.Check("--occlusion-window", parse.GetValue(OcclusionWindow) ?? 32, 1, 8192);
        int stride = OptionRanges.Check("--occlusion-stride", parse.GetValue(OcclusionStride) ?? Math.Max(1, window / 2), 1, window, why: "a larger step leaves pixels no window covers");
        return new OcclusionMethod(window, stride);
    }
}
