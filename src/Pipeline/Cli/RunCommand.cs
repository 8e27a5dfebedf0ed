using System.CommandLine;
using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Runs;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline run`: saliency maps and weakly supervised boxes for a folder of images, written as an
/// ILSVRC localisation file. The options and their ranges live here; the run itself is <see cref="BatchRun"/>.
/// </summary>
public static class RunCommand
{
    /// <summary>The largest --top: each class costs a backward pass share and a map per image.</summary>
    public const int MaxTop = 100;

    private static readonly LocalisationOptions Defaults = new();
    private static readonly Option<FileInfo> Model = new("--model") { Description = "gradient model made by export-grad", Required = true };
    private static readonly Option<string> Images = new("--images") { Description = "folder of images, or a text file listing image paths", Required = true };
    private static readonly Option<DirectoryInfo> Output = new("--out") { Description = "output folder; a folder holding the same run continues it", Required = true };
    private static readonly Option<bool> Restart = new("--restart") { Description = "replace the run in --out (its loc, errors, progress, maps) instead of continuing it" };
    private static readonly Option<int> Top = new("--top") { Description = $"classes (and boxes) per image, 1 to {MaxTop}", DefaultValueFactory = _ => 5 };
    private static readonly Option<int> Crops = new("--crops") { Description = "10 (corners, centre and their mirrors) or 1 (centre)", DefaultValueFactory = _ => 10 };
    private static readonly Option<string> Format = new("--format") { Description = "kaggle (loc.csv) or devkit (loc.txt, 1-based class ids)", DefaultValueFactory = _ => "kaggle" };
    private static readonly Option<bool> SaveMaps = new("--save-maps") { Description = "write a saliency PNG and an overlay PNG with the box per image and class" };
    private static readonly Option<bool> SaveNpy = new("--save-npy") { Description = "write the ground-truth-class (with --truth) and top-1 maps as 224x224 .npy in OUTDIR/npy, for eval --protocol maxboxacc" };
    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "auto" };
    /// <summary>0 when every image of the shard finished and some was scored (or the shard is empty), else 1 with the reason.</summary>
    private static int ExitCode(RunSummary summary, string outDir)
    {
        var errors = Path.Combine(outDir, RunArtifacts.ErrorsFile);
        if (summary.Errors > 0)
        {
            Console.Error.WriteLine($"error: {summary.Errors} images failed for a reason other than bad input (status 'error' in {errors}); rerun the same command to retry them");
            return CommandErrors.Failed;
        }
        if (summary.Images > 0 && summary.Scored == 0)
        {
            Console.Error.WriteLine($"error: no image could be scored ({summary.Failed} skipped); reasons in {errors}");
            return CommandErrors.Failed;
        }
        return CommandErrors.Done;
    }

    private static readonly Option<FileInfo?> CardFile = CardOptions.Card();
    private static readonly Option<bool> CardOverride = CardOptions.Override();
    private static readonly Option<string> Method = new("--method") { Description = $"localisation: {string.Join(", ", Localiser.All.Select(l => l.Name))}", DefaultValueFactory = _ => "mass-box" };
    private static readonly Option<FileInfo?> Truth = new("--truth") { Description = "LOC_val_solution.csv: also box the ground-truth class (loc_gt.csv, for GT-known accuracy)" };
    private static readonly Option<double> FgQuantile = new("--fg-quantile") { Description = "foreground seed quantile, in (0, 1]", DefaultValueFactory = _ => Defaults.ForegroundQuantile };
    private static readonly Option<double> BgQuantile = new("--bg-quantile") { Description = "background seed quantile, in [0, fg-quantile)", DefaultValueFactory = _ => Defaults.BackgroundQuantile };
    private static readonly Option<int> Components = new("--components") { Description = "GMM components, 1 to 20", DefaultValueFactory = _ => Defaults.Components };
    private static readonly Option<int> Iterations = new("--iterations") { Description = "GrabCut iterations, 1 to 100", DefaultValueFactory = _ => Defaults.Iterations };
    private static readonly Option<int> SegmentationSide = new("--segmentation-side") { Description = "longer side of the image the segmentation runs on, 16 to 4096", DefaultValueFactory = _ => Defaults.SegmentationSide };
    private static readonly Option<double?> Smoothing = new("--smoothing") { Description = "mass-box, threshold-box: Gaussian sigma as a fraction of the shorter side, in [0, 0.5] (default by the model's rule: gradient 0.02, guided and deconvnet 0.05)" };
    private static readonly Option<double> MassTail = new("--mass-tail") { Description = "mass-box: share of the saliency mass left outside each side, in [0, 0.5)", DefaultValueFactory = _ => Defaults.MassTail };
    private static readonly Option<double?> MassPower = new("--mass-power") { Description = "mass-box: power the map is raised to, in (0, 10] (default by the model's rule: gradient 2, guided and deconvnet 1)" };
    private static readonly Option<double> Threshold = new("--threshold") { Description = "threshold-box: threshold as a fraction of the smoothed map's range, in [0, 1)", DefaultValueFactory = _ => Defaults.Threshold };
    private static readonly Option<bool> AllRegions = new("--all-regions") { Description = "threshold-box: the box of every region above the threshold, not only the largest" };
    private static readonly Option<DirectoryInfo?> MapCacheDir = new("--map-cache") { Description = "keep saliency maps here and reuse them (to try localisation settings without recomputing gradients)" };
    private static readonly Option<int> Threads = new("--threads") { Description = "ONNX Runtime threads, 1 to 1024", DefaultValueFactory = _ => Environment.ProcessorCount };
    private static readonly Option<int> WorkingSide = new("--working-side") { Description = "maps and boxes are made at most this many pixels on the longer side, 64 to 8192", DefaultValueFactory = _ => 1024 };
    private static readonly Option<long> MaxPixels = new("--max-pixels") { Description = "refuse images that decode to more pixels (a JPEG counts after its decoder's scale-down)", DefaultValueFactory = _ => 100_000_000 };
    private static readonly Option<string?> Shard = new("--shard") { Description = "I/N: take the images whose list index % N == I; auto: I and N from a Slurm array task or a Kubernetes Indexed Job (default: every image)" };
    private static readonly Option<int?> ShardCount = new("--shard-count") { Description = "with --shard auto: N shards (a Kubernetes Indexed Job's completions, or a Slurm array resubmitted in part)" };
    private static readonly Option<bool> Quiet = new("--quiet") { Description = "no progress on stderr" };
    private static readonly Option<bool> NoReport = new("--no-report") { Description = "no report.html and no thumbnails (report/, about 15 KB an image)" };
    private static readonly Option<int> Smooth = new("--smooth") { Description = "SmoothGrad: average the map over this many noisy copies of each crop, 1 to 100 (1: the plain gradient map)", DefaultValueFactory = _ => 1 };
    private static readonly Option<double> Noise = new("--noise") { Description = "SmoothGrad: noise standard deviation as a fraction of the input range, in [0, 1]", DefaultValueFactory = _ => 0.0 };

    private static readonly Option<string> Map = new("--map") { Description = $"the map boxes come from: {string.Join(", ", MapMethods.All.Select(m => m.Name))} (default {MapMethods.Default.Name}; cam, saliency-x-cam and cam-plus-plus need export-grad --cam)", DefaultValueFactory = _ => MapMethods.Default.Name };
    private static readonly Option<string?> IgBaseline = new("--ig-baseline") { Description = "integrated-gradients: the path's start, black, blur (the crop strongly blurred) or noise (uniform, seeded) (default black)" };
    private static readonly Option<int?> IgSteps = new("--ig-steps") { Description = $"integrated-gradients: points on the path (midpoint rule), 1 to {IntegratedGradientsMethod.MostSteps} (default {IntegratedGradientsMethod.DefaultSteps})" };

    private static readonly Option<int?> ParallelImages = new("--parallel-images") { Description = "images computed at once, 1 to 64 and at most 256 / (crops x classes per pass), sharing --threads among them (default: 2, or 1 with --threads 1)" };

    public static Command Create()
    {
        var command = new Command("run", "Saliency maps and weakly supervised boxes for a folder of images.")
        {
            Model, Images, Output, Restart, Top, Crops, Format, SaveMaps, SaveNpy, Device, CardFile, CardOverride, Method, Truth,
            FgQuantile, BgQuantile, Components, Iterations, SegmentationSide, Smoothing, MassTail, MassPower, Threshold, AllRegions, MapCacheDir, Threads,
            WorkingSide, MaxPixels, Shard, ShardCount, Quiet, NoReport, Smooth, Noise, Map, IgBaseline, IgSteps, ParallelImages,
        };
        foreach (var option in ForwardMapOptions.All) command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            NativeLibraries.RequireOpenCv();
            var request = Request(parse);
            return ExitCode(BatchRun.Execute(request), request.OutDir);
        }));
        return command;
    }

    /// <summary>--map, with Integrated Gradients' baseline and steps; those two are refused with any other map.</summary>
    private static MapMethod MapChoice(ParseResult parse)
    {
        var map = MapMethods.Parse(parse.GetValue(Map)!);
        var (baseline, steps) = (parse.GetValue(IgBaseline), parse.GetValue(IgSteps));
        if (map is IntegratedGradientsMethod)
            return new IntegratedGradientsMethod(steps is { } s ? OptionRanges.Check("--ig-steps", s, 1, IntegratedGradientsMethod.MostSteps) : IntegratedGradientsMethod.DefaultSteps,
                baseline is { } b ? IntegratedGradientsBaselines.Parse(b) : IntegratedGradientsBaseline.Black);
        if (baseline != null || steps != null)
            throw new UsageException($"{(baseline != null ? "--ig-baseline" : "--ig-steps")} goes with --map integrated-gradients, not --map {map.Name}");
        return map;
    }

    /// <summary>The request, every option checked against its range (UsageException: exit code 2).</summary>
    private static RunRequest Request(ParseResult parse)
    {
        var format = parse.GetValue(Format)!;
        if (format is not ("kaggle" or "devkit")) throw new UsageException($"--format '{format}': expected kaggle or devkit");
        int crops = parse.GetValue(Crops);
        if (crops is not (1 or 10)) throw new UsageException($"--crops {crops}: expected 10 or 1");
        double fg = OptionRanges.Check("--fg-quantile", parse.GetValue(FgQuantile), 0, 1, excludeMin: true);
        var options = new LocalisationOptions
        {
            ForegroundQuantile = fg,
            BackgroundQuantile = OptionRanges.Check("--bg-quantile", parse.GetValue(BgQuantile), 0, fg, excludeMax: true, why: "below --fg-quantile"),
            Components = OptionRanges.Check("--components", parse.GetValue(Components), 1, 20),
            Iterations = OptionRanges.Check("--iterations", parse.GetValue(Iterations), 1, 100),
            SegmentationSide = OptionRanges.Check("--segmentation-side", parse.GetValue(SegmentationSide), 16, 4096),
            Smoothing = parse.GetValue(Smoothing) is { } smoothing ? OptionRanges.Check("--smoothing", smoothing, 0, 0.5) : null,
            MassTail = OptionRanges.Check("--mass-tail", parse.GetValue(MassTail), 0, 0.5, excludeMax: true, why: "a tail of half the mass from each side leaves no box"),
            MassPower = parse.GetValue(MassPower) is { } power ? OptionRanges.Check("--mass-power", power, 0, 10, excludeMin: true) : null,
            Threshold = OptionRanges.Check("--threshold", parse.GetValue(Threshold), 0, 1, excludeMax: true),
            AllRegions = parse.GetValue(AllRegions),
        };
        var explain = new ExplainSettings(crops, OptionRanges.Check("--top", parse.GetValue(Top), 1, MaxTop), Localiser.Named(parse.GetValue(Method)!), options,
            OptionRanges.Check("--working-side", parse.GetValue(WorkingSide), 64, 8192),
            OptionRanges.Check("--max-pixels", parse.GetValue(MaxPixels), 1, 4_000_000_000L))
        {
            Smooth = new SmoothGrad(OptionRanges.Check("--smooth", parse.GetValue(Smooth), 1, 100), OptionRanges.Check("--noise", parse.GetValue(Noise), 0, 1)),
            Map = ForwardMapOptions.Configure(MapChoice(parse), parse),
        };
        int threads = OptionRanges.Check("--threads", parse.GetValue(Threads), 1, 1024);
        int parallel = parse.GetValue(ParallelImages) is { } asked ? OptionRanges.Check("--parallel-images", asked, 1, 64)
            // Two images on one thread each beat one image on two threads (the backward pass scales worse than the forward).
            : Math.Min(2, threads);
        int perImage = ExplainSettings.MostPerPass(crops, explain.Top + (parse.GetValue(Truth) != null ? 1 : 0));
        OptionRanges.CheckFoldedBatch("--parallel-images x --crops x classes per pass", parallel * perImage);
        return new RunRequest
        {
            Model = parse.GetValue(Model)!,
            Images = parse.GetValue(Images)!,
            OutDir = parse.GetValue(Output)!.FullName,
            Format = format,
            Explain = explain,
            Device = DeviceChoice.Parse(parse.GetValue(Device)!),
            Threads = threads,
            ParallelImages = parallel,
            Card = parse.GetValue(CardFile),
            CardOverride = parse.GetValue(CardOverride),
            Truth = parse.GetValue(Truth),
            MapCache = parse.GetValue(MapCacheDir),
            SaveMaps = parse.GetValue(SaveMaps),
            SaveNpy = parse.GetValue(SaveNpy),
            Restart = parse.GetValue(Restart),
            Shard = ShardSpec.Resolve(parse.GetValue(Shard), parse.GetValue(ShardCount), Environment.GetEnvironmentVariable),
            Quiet = OrtSessions.SilentFallback = parse.GetValue(Quiet),
            Report = !parse.GetValue(NoReport),
            Arguments = parse.Tokens.Select(t => t.Value).ToArray(),
        };
    }
}
