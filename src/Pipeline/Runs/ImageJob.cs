using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Outputs;
using Pipeline.Saliency;

namespace Pipeline.Runs;

/// <summary>One image's result as data: its status, rows, side files and timings, for <see cref="RunOutputs.Commit"/>.</summary>
public sealed record ImageOutcome(ImageEntry Image, ImageStatus Status, ImageRows Rows, IReadOnlyList<SideFile> SideFiles,
    double SaliencySeconds, double LocalisationSeconds, int Width, int Height, string? Note);

/// <summary>
/// One image of a run, computed on a worker: it writes nothing, it returns what the commit will write.
/// Bad input is a final `skipped` row; any other failure is an `error` row that a rerun retries.
/// A missing native library or exhausted memory is not the image's fault and ends the run.
/// </summary>
public sealed class ImageJob(RunPlan plan, RunnerPool<GradientRunner> runners, MapCache? cache)
{
    private readonly RowFormat _rows = new(plan.Request.Format);
    private readonly Dictionary<string, int> _classOf = plan.Card.Classes.Select((c, i) => (c.Wnid, i))
        .GroupBy(p => p.Wnid).ToDictionary(g => g.Key, g => g.First().i);

    public ImageOutcome Compute(ImageEntry image)
    {
        var request = plan.Request;
        var truthBoxes = plan.Truth?.GetValueOrDefault(image.Id);
        int? gtClass = truthBoxes is { Count: > 0 } && _classOf.TryGetValue(truthBoxes[0].Wnid, out var g) ? g : null;
        try
        {
            FaultInjection.Check(image.Id);
            using var result = runners.Use(r => new ImageExplainer(r, plan.Card, request.Explain, cache).Explain(image.Path, gtClass));
            var files = new List<SideFile>();
            if (request.SaveMaps) files.AddRange(MapImages.Files(RunArtifacts.MapsFolder, image.Id, result, plan.Card));
            if (request.Report) files.Add(ReportThumbnails.File(image.Id, result, truthBoxes));
            if (request.SaveNpy) files.AddRange(NpyMaps.Files(image.Path, result.GroundTruthClass?.Map, result.Top[0].Map, result.Image.Width, result.Image.Height));
            if (CompletenessFiles.File(image.Id, result, plan.Card) is { } completeness) files.Add(completeness);
            var rows = _rows.Scored(image, result, plan.Card);
            // A poorly approximated Integrated Gradients map is marked as a warning in errors.csv, beside the image's own.
            var poor = CompletenessFiles.Warning(result, plan.Card);
            if (poor != null) rows = rows with { Error = rows.Error + RowFormat.CsvLine([image.Path, image.Id, "warning", poor]) };
            var warning = string.Join("; ", new[] { result.Original.Warning, poor }.OfType<string>());
            return new ImageOutcome(image, warning.Length == 0 ? ImageStatus.Ok : ImageStatus.Warning, rows, files,
                result.SaliencySeconds, result.LocalisationSeconds, result.Original.Width, result.Original.Height,
                warning.Length == 0 ? null : $"warning: {image.Path}: {warning}");
        }
        catch (Exception e) when (e is not OutOfMemoryException && NativeLibraries.Missing(e) == null)
        {
            var reason = Messages.FirstLine(e.Message).Replace(image.Path + ": ", "");
            if (e is InputException)
                return Failed(image, ImageStatus.Failed, reason, $"skipped {image.Path}: {reason}");
            reason = $"{e.GetType().Name}: {reason}";
            return Failed(image, ImageStatus.Error, reason, $"error {image.Path}: {reason}");
        }
    }

    private ImageOutcome Failed(ImageEntry image, ImageStatus status, string reason, string note) =>
        new(image, status, _rows.Failed(image.Id, image.Path, reason, status), [], 0, 0, 0, 0, note);
}
