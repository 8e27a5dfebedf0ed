using System.Diagnostics;
using System.Text.Json;
using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Outputs;
using Pipeline.Saliency;

namespace Pipeline.Runs;

/// <summary>run.json: what produced a run folder's files (model, card, options, versions, shard) and what it cost.</summary>
public static class RunReport
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(RunRequest request, ModelCard card, string modelSha256, string device, RunSummary summary, MapCache? cache = null)
    {
        var report = new Dictionary<string, object?>
        {
            ["model"] = request.Model.FullName,
            ["modelSha256"] = modelSha256,
            ["card"] = JsonDocument.Parse(card.ToJson()).RootElement,
            ["method"] = request.Explain.Localiser.Name,
            ["localisation"] = request.Explain.Options,
            ["options"] = request.OutputOptions(),
            ["arguments"] = request.Arguments,
            ["device"] = device,
            ["threads"] = request.Threads,
            ["parallelImages"] = request.ParallelImages,
            ["shard"] = request.Shard.ToString(),
            ["truth"] = request.Truth?.FullName,
            ["versions"] = Versions(),
            ["images"] = summary.Scored,
            ["skipped"] = summary.Failed,
            ["errors"] = summary.Errors,
            ["warnings"] = summary.Warnings,
            ["complete"] = summary.Complete,
            ["timings"] = Timings(summary),
            ["peakMemoryBytes"] = Process.GetCurrentProcess().PeakWorkingSet64,
        };
        // This session's cache health: entries that could not be trusted, and a cache that could not be written.
        if (cache != null)
            report["mapCache"] = new Dictionary<string, object?>
            {
                ["folder"] = Path.GetFullPath(cache.Folder), ["badEntriesRecomputed"] = cache.BadEntries, ["writeFailure"] = cache.WriteFailure,
            };
        if (CompletenessFiles.Summarise(request.OutDir) is { } completeness) report["completeness"] = completeness;
        Save(Path.Combine(request.OutDir, RunArtifacts.ReportFile), report);
    }

    public static Dictionary<string, string?> Versions() => new()
    {
        ["pipeline"] = typeof(RunReport).Assembly.GetName().Version?.ToString(3),
        ["onnxruntime"] = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3),
        ["opencv"] = Cv2.GetVersionString(),
        ["dotnet"] = Environment.Version.ToString(),
    };

    /// <summary>Saliency and localisation per scored image over every session; wall time of the last session.</summary>
    public static Dictionary<string, double> Timings(RunSummary summary) => new()
    {
        ["sessionSeconds"] = summary.SessionSeconds,
        ["secondsPerImage"] = summary.SecondsPerImage,
        ["saliencySecondsPerImage"] = summary.SaliencySeconds / Math.Max(1, summary.Scored),
        ["localisationSecondsPerImage"] = summary.LocalisationSeconds / Math.Max(1, summary.Scored),
        ["saliencySecondsTotal"] = summary.SaliencySeconds,
        ["localisationSecondsTotal"] = summary.LocalisationSeconds,
    };

    public static void Save(string path, object report)
    {
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(report, Indented));
        File.Move(path + ".partial", path, overwrite: true);
    }
}
