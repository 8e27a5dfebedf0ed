using System.Diagnostics;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Outputs;
using Pipeline.Saliency;

namespace Pipeline.Runs;

/// <summary>
/// `run` over a list of images: the plan (<see cref="RunPlan"/>) settles and checks everything before
/// the first image; the folder is locked and opened (continuing an earlier run of the same
/// fingerprint); each image of the shard is computed by <see cref="ImageJob"/> on `--parallel-images`
/// workers and committed by <see cref="RunOutputs"/> in list order. One bad image costs one row in
/// errors.csv, never the run; a finished image is never lost. The caller turns the summary into an exit code.
/// </summary>
public static class BatchRun
{
    public static RunSummary Execute(RunRequest request)
    {
        using var plan = RunPlan.Make(request);
        request = plan.Request;
        var total = Stopwatch.StartNew();
        using var held = FolderLock.Acquire(request.OutDir); // one writer per folder, for the whole run
        using var outputs = RunOutputs.Open(request.OutDir, plan.Fingerprint, request.Format, plan.Truth != null, request.Restart);
        var done = outputs.Done;
        var cache = request.MapCache is { } cacheDir
            ? new MapCache(cacheDir.FullName, plan.ModelSha256, plan.Card.ToJson(), request.Explain, plan.Card.Classes.Count) : null;
        using var runners = new RunnerPool<GradientRunner>(plan.Runner, request.ThreadsPerImage, plan.NewRunner);
        var job = new ImageJob(plan, runners, cache);
        int before = outputs.Finished.Count;
        var progress = new ProgressLine(plan.Mine.Count, done.Count, request.Quiet);
        // Cache notices say why later runs are not faster or why maps were recomputed; --quiet keeps them.
        void Notice(string line)
        {
            if (request.Quiet) Console.Error.WriteLine(line);
            else progress.Note(line);
        }
        var todo = plan.Mine.Where(i => !done.Contains(i.Index)).ToList();
        progress.Run(OrderedWork.Ahead(todo, request.ParallelImages, job.Compute), image =>
        {
            if (image.Note != null) progress.Note(image.Note);
            foreach (var line in cache?.TakeNotices() ?? []) Notice(line);
            outputs.Commit(image);
        });
        int sessionImages = outputs.Finished.Count - before;
        outputs.Close();
        if (request.SaveNpy) NpyMaps.WriteSizes(request.OutDir, ScoredSizes(outputs.Finished, plan.Images));

        var summary = RunSummary.Of(outputs.Finished, plan.Mine.Count, total.Elapsed.TotalSeconds, sessionImages);
        RunReport.Write(request, plan.Card, plan.ModelSha256, plan.Runner.Device, summary, cache);
        if (request.Report) HtmlReport.Write(request.OutDir);
        Console.WriteLine($"{summary.Scored} images, {summary.Failed} skipped, {summary.Errors} errors, {summary.Warnings} warnings, " +
            $"{summary.SecondsPerImage:F2} s per image ({plan.Runner.Device}); results in {request.OutDir}");
        if (plan.Mine.Count == 0)
            Console.Error.WriteLine($"notice: shard {request.Shard} takes none of the {plan.Images.Count} images; nothing to do");
        return summary;
    }

    /// <summary>The scored images' paths and sizes, from the journal (a journal of an earlier version has none: its images' headers are read).</summary>
    private static IEnumerable<(string Path, int Width, int Height)> ScoredSizes(IEnumerable<JournalEntry> finished, IReadOnlyList<ImageEntry> images) =>
        finished.Where(e => e.Status is ImageStatus.Ok or ImageStatus.Warning).Select(e =>
        {
            var path = images[e.Index].Path;
            if (e.Width > 0 && e.Height > 0) return (path, e.Width, e.Height);
            var header = ImageProbe.Read(path);
            return (path, header.Width, header.Height);
        });
}
