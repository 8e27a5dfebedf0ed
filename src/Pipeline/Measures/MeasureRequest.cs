using Pipeline.Inference;

namespace Pipeline.Measures;

/// <summary>What `Pipeline measure` was asked (see Cli/MeasureCommand): a finished run's folder, its images, and how to run the model.</summary>
public sealed record MeasureRequest
{
    public required string RunDir { get; init; }
    /// <summary>The DIR or LIST.txt the run was given (checked against its run-state.json).</summary>
    public required string Images { get; init; }
    /// <summary>The run's gradient model where it has moved since (checked against run.json's SHA-256); null: run.json's path.</summary>
    public FileInfo? Model { get; init; }
    /// <summary>LOC_val_solution.csv for the pointing game; null: the run's own --truth, if any.</summary>
    public FileInfo? Truth { get; init; }
    public int Steps { get; init; } = 224;
    public required DeviceChoice Device { get; init; }
    public int Threads { get; init; } = 1;
    public bool Quiet { get; init; }
}
