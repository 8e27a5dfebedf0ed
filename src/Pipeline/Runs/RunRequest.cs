using Pipeline.Inference;
using Pipeline.Saliency;

namespace Pipeline.Runs;

/// <summary>Everything `run` was asked to do, checked against its ranges (see Cli/RunCommand).</summary>
public sealed record RunRequest
{
    public required FileInfo Model { get; init; }
    public required string Images { get; init; }
    public required string OutDir { get; init; }
    public required string Format { get; init; }
    public required ExplainSettings Explain { get; init; }
    public required DeviceChoice Device { get; init; }
    public required int Threads { get; init; }
    /// <summary>Images computed at once (--parallel-images); the threads are shared out among them.</summary>
    public int ParallelImages { get; init; } = 1;
    /// <summary>ONNX Runtime threads for each image in flight.</summary>
    public int ThreadsPerImage => OrderedWork.ThreadsEach(Threads, ParallelImages);
    public FileInfo? Card { get; init; }
    /// <summary>--card-override: --card although it differs from the stored card.</summary>
    public bool CardOverride { get; init; }
    public FileInfo? Truth { get; init; }
    public DirectoryInfo? MapCache { get; init; }
    public bool SaveMaps { get; init; }
    /// <summary>--save-npy: 224x224 .npy maps for MaxBoxAcc (Outputs/NpyMaps).</summary>
    public bool SaveNpy { get; init; }
    public bool Restart { get; init; }
    public required ShardSpec Shard { get; init; }
    public bool Quiet { get; init; }
    /// <summary>report.html and its thumbnails (report/ID.jpg, about 15 KB an image); off with --no-report.</summary>
    public bool Report { get; init; } = true;
    /// <summary>The command line as given, for run.json.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The options that change rows or maps, for the run's fingerprint.</summary>
    public SortedDictionary<string, string> OutputOptions()
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["--format"] = Format,
            ["--top"] = Explain.Top.ToString(),
            ["--crops"] = Explain.Crops.ToString(),
            ["--method"] = Explain.Localiser.Name,
            ["localisation options"] = System.Text.Json.JsonSerializer.Serialize(Explain.Options),
            ["--working-side"] = Explain.WorkingSide.ToString(),
            ["--max-pixels"] = Explain.MaxPixels.ToString(),
            ["--save-maps"] = SaveMaps.ToString(),
            ["--no-report"] = (!Report).ToString(),
            ["--save-npy"] = SaveNpy.ToString(),
            ["--smooth"] = $"{Explain.Smooth.Copies} x {Explain.Smooth.Noise.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        };
        // Only where it is not the default, so that runs begun before --map existed still resume.
        if (Explain.Map != MapMethods.Default) options["--map"] = Explain.Map.Name;
        if (Explain.Map.Settings is { } settings) options["--map settings"] = settings;
        return options;
    }
}
