using System.CommandLine;
using Pipeline.Inference;
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

    /// <summary>Images in flight unless told: two images on one thread each beat one image on two threads (the backward pass scales worse than the forward).</summary>
    public const int DefaultParallelImages = 2;

    /// <summary>Every option of run, in help's order: an option is one declaration below, read in <see cref="Read"/>.</summary>
    private static readonly List<Option> Declared = [];

    private static T Declare<T>(T option) where T : Option
    {
        Declared.Add(option);
        return option;
    }

    private static readonly Option<FileInfo> Model = Declare(SharedOptions.Model("gradient model made by export-grad"));
    private static readonly Option<string> Images = Declare(new Option<string>("--images") { Description = "folder of images, or a text file listing image paths", Required = true });
    private static readonly Option<DirectoryInfo> Output = Declare(SharedOptions.OutFolder("output folder; a folder holding the same run continues it"));
    private static readonly Option<bool> Restart = Declare(new Option<bool>("--restart") { Description = "replace the run in --out (its loc, errors, progress, maps) instead of continuing it" });
    private static readonly Option<int> Top = Declare(Number.Of("--top", "classes (and boxes) per image", 1, MaxTop, 5));
    private static readonly Option<int> Crops = Declare(Choice.Of("--crops", "10 (corners, centre and their mirrors) or 1 (centre)", [("10", 10), ("1", 1)], "10"));
    private static readonly Option<string> Format = Declare(Choice.Of("--format", "kaggle (loc.csv) or devkit (loc.txt, 1-based class ids)", [("kaggle", "kaggle"), ("devkit", "devkit")], "kaggle"));
    private static readonly Option<bool> SaveMaps = Declare(new Option<bool>("--save-maps") { Description = "write a saliency PNG and an overlay PNG with the box per image and class" });
    private static readonly Option<bool> SaveNpy = Declare(new Option<bool>("--save-npy") { Description = "write the ground-truth-class (with --truth) and top-1 maps as 224x224 .npy in OUTDIR/npy, for eval --protocol maxboxacc" });
    private static readonly Option<DeviceChoice> Device = Declare(SharedOptions.Device());
    private static readonly Option<FileInfo?> CardFile = Declare(SharedOptions.Card());
    private static readonly Option<bool> CardOverride = Declare(SharedOptions.CardOverride());
    private static readonly Option<FileInfo?> Truth = Declare(new Option<FileInfo?>("--truth") { Description = "LOC_val_solution.csv: also box the ground-truth class (loc_gt.csv, for GT-known accuracy)" });
    private static readonly Option<DirectoryInfo?> MapCacheDir = Declare(new Option<DirectoryInfo?>("--map-cache") { Description = "keep saliency maps here and reuse them (to try localisation settings without recomputing gradients)" });
    private static readonly Option<int> Threads = Declare(SharedOptions.Threads());
    private static readonly Option<int> WorkingSide = Declare(Number.Of("--working-side", "maps and boxes are made at most this many pixels on the longer side", 64, 8192, 1024));
    private static readonly Option<long> MaxPixels = Declare(Number.Of("--max-pixels", "refuse images that decode to more pixels (a JPEG counts after its decoder's scale-down)", 1L, 4_000_000_000L, 100_000_000L));
    private static readonly Option<string?> Shard = Declare(new Option<string?>("--shard") { Description = "I/N: take the images whose list index % N == I; auto: I and N from a Slurm array task or a Kubernetes Indexed Job (default: every image)" });
    private static readonly Option<int?> ShardCount = Declare(new Option<int?>("--shard-count") { Description = "with --shard auto: N shards (a Kubernetes Indexed Job's completions, or a Slurm array resubmitted in part)" });
    private static readonly Option<bool> Quiet = Declare(new Option<bool>("--quiet") { Description = "no progress on stderr" });
    private static readonly Option<bool> NoReport = Declare(new Option<bool>("--no-report") { Description = "no report.html and no thumbnails (report/, about 15 KB an image)" });
    private static readonly Option<int> SmoothGradCopies = Declare(OldNames.Renamed(Number.Of("--smoothgrad", "SmoothGrad: average the map over this many noisy copies of each crop (1: the plain map)", 1, 100, SmoothGrad.Plain.Copies), "--smooth"));
    private static readonly Option<double> Noise = Declare(Number.Of("--noise", "SmoothGrad: noise standard deviation as a fraction of the input range", 0.0, 1.0, SmoothGrad.Plain.Noise));
    private static readonly MapOptions Maps = new("the map boxes come from (cam and saliency-x-cam need export-grad --cam)");
    private static readonly Option<int?> ParallelImages = Declare(Number.Open("--parallel-images", "images computed at once, sharing --threads among them; at most 256 / (crops x classes per pass)", 1, 64,
        $"{DefaultParallelImages}, or --threads when fewer"));

    public static Command Create()
    {
        var command = new Command("run", "Saliency maps and weakly supervised boxes for a folder of images.");
        foreach (var option in Declared.Concat(Maps.All).Concat(LocaliserOptions.All)) command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            NativeLibraries.RequireOpenCv();
            var request = Read(parse);
            return Execute(request);
        }));
        return command;
    }

    /// <summary>The run, and its exit code.</summary>
    public static int Execute(RunRequest request) => ExitCode(BatchRun.Execute(request), request.OutDir);

    /// <summary>The request, every option checked (single options as they were parsed; here the checks across options).</summary>
    public static RunRequest Read(ParseResult parse)
    {
        int crops = parse.GetValue(Crops);
        var explain = new ExplainSettings(crops, parse.GetValue(Top), LocaliserOptions.Read(parse), parse.GetValue(WorkingSide), parse.GetValue(MaxPixels))
        {
            Smooth = new SmoothGrad(parse.GetValue(SmoothGradCopies), parse.GetValue(Noise)),
            Map = Maps.Read(parse),
        };
        int threads = parse.GetValue(Threads);
        int parallel = parse.GetValue(ParallelImages) ?? Math.Min(DefaultParallelImages, threads);
        int perImage = ExplainSettings.MostPerPass(crops, explain.Top + (parse.GetValue(Truth) != null ? 1 : 0));
        OptionRanges.CheckFoldedBatch("--parallel-images x --crops x classes per pass", parallel * perImage);
        return new RunRequest
        {
            Model = parse.GetValue(Model)!,
            Images = parse.GetValue(Images)!,
            OutDir = parse.GetValue(Output)!.FullName,
            Format = parse.GetValue(Format)!,
            Explain = explain,
            Device = parse.GetValue(Device)!,
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
}
