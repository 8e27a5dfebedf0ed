using System.Diagnostics;
using Pipeline.Cards;
using Pipeline.Cli;
using Pipeline.Scoring;
using Pipeline.Stages;

namespace Pipeline.Runs;

/// <summary>
/// `run` over a list of images: checks everything that can be checked before the first image (model,
/// card, truth file, image list, run folder), continues an earlier run of the same fingerprint, then
/// takes each image of its shard through <see cref="ImageExplainer"/>. One bad image costs one row in
/// errors.csv, never the run; a finished image is never lost (see <see cref="RunOutputs"/>).
/// </summary>
public static class BatchRun
{
    /// <summary>Runs the request; the exit code is 1 when no image of the shard could be scored.</summary>
    public static int Execute(RunRequest request)
    {
        NativeLibraries.RequireOpenCv();
        var modelBytes = ModelFiles.Read(request.Model);
        var modelSha = RunFingerprint.Sha256(modelBytes);
        var images = ImageList.From(request.Images);
        using var runner = new GradientRunner(modelBytes, request.Device, request.ThreadsPerImage, request.Model.FullName);
        var card = CardChoice.For(runner.Info, request.Card, request.CardOverride);
        var cardJson = card.ToJson();
        card.CheckFits(runner.ImageShape, runner.ScoreCount(), request.Model.Name);
        if (request.Explain.Top > card.Classes.Count)
            throw new UsageException($"--top {request.Explain.Top}: the model has only {card.Classes.Count} classes");
        if (request.Explain.Map != MapKind.Saliency && runner.CamShape == null)
            throw new InputException($"{request.Model.Name}: --map {MapKinds.Name(request.Explain.Map)} needs the model's Grad-CAM output; export it with `Pipeline export-grad --cam`");
        var truth = request.Truth is { } t ? LocFile.Read(t.FullName) : null;
        // Settings left open take the defaults for the model's backward rule (gradient or guided maps).
        var rule = runner.Info.Rule;
        request = request with { Explain = request.Explain with { Options = request.Explain.Options.ForRule(rule) } };
        var fingerprint = new RunFingerprint
        {
            ModelSha256 = modelSha,
            CardSha256 = RunFingerprint.Sha256(cardJson),
            ImagesSha256 = RunFingerprint.Sha256(string.Join('\n', images.Select(i => Path.GetRelativePath(ImageList.Root(request.Images), i.Path)))),
            FullPathImagesSha256 = RunFingerprint.Sha256(string.Join('\n', images.Select(i => Path.GetFullPath(i.Path)))),
            ImageCount = images.Count,
            TruthSha256 = request.Truth is { } tf ? RunFingerprint.Sha256(File.ReadAllBytes(tf.FullName)) : null,
            Options = request.OutputOptions(),
            Shard = request.Shard,
        };

        var mine = images.Where(i => request.Shard.Takes(i.Index)).ToList();
        var total = Stopwatch.StartNew();
        using var held = FolderLock.Acquire(request.OutDir); // one writer per folder, for the whole run
        using var outputs = RunOutputs.Open(request.OutDir, fingerprint, request.Format, truth != null, request.Restart);
        var finished = outputs.Done;
        var mapDir = Path.Combine(request.OutDir, RunOutputs.MapsFolder);
        if (request.SaveMaps) Directory.CreateDirectory(mapDir);
        var cache = request.MapCache is { } cacheDir
            ? new MapCache(cacheDir.FullName, modelSha, cardJson, request.Explain, card.Classes.Count) : null;
        using var runners = new RunnerPool<GradientRunner>(runner, request.ThreadsPerImage,
            () => new GradientRunner(modelBytes, request.Device, request.ThreadsPerImage, request.Model.FullName));
        var classOf = card.Classes.Select((c, i) => (c.Wnid, i)).GroupBy(p => p.Wnid).ToDictionary(g => g.Key, g => g.First().i);
        int before = outputs.Finished.Count;
        var progress = new ProgressLine(mine.Count, finished.Count, request.Quiet);
        ImageOutcome Compute(ImageEntry image)
        {
            int? gtClass = truth != null && truth.TryGetValue(image.Id, out var gt) && gt.Count > 0 && classOf.TryGetValue(gt[0].Wnid, out var g) ? g : null;
            try
            {
                FaultInjection.Check(image.Id);
                using var result = runners.Use(r => new ImageExplainer(r, card, request.Explain, cache).Explain(image.Path, gtClass));
                if (request.SaveMaps) MapImages.SaveAll(mapDir, image.Id, result, card);
                if (request.Report) ReportThumbnails.Save(request.OutDir, image.Id, result, truth?.GetValueOrDefault(image.Id));
                if (request.SaveNpy) NpyMaps.Save(request.OutDir, image.Path, result.GroundTruthClass?.Map, result.Top[0].Map, result.Image.Width, result.Image.Height);
                var warning = result.Original.Warning is { } w ? $"warning: {image.Path}: {w}" : null;
                return new ImageOutcome(image, outputs.Scored(image, result, card), warning == null ? ImageStatus.Ok : ImageStatus.Warning,
                    result.SaliencySeconds, result.LocalisationSeconds, warning);
            }
            catch (Exception e) when (e is not OutOfMemoryException && NativeLibraries.Missing(e) == null && !IsOutputFailure(e, request.OutDir))
            {
                // Whatever one image does, the run goes on and keeps what it has. Bad input is final;
                // anything else (a bug, a failed allocation) is an error that a rerun tries again.
                var reason = Messages.FirstLine(e.Message).Replace(image.Path + ": ", "");
                if (e is InputException)
                    return new ImageOutcome(image, outputs.Failed(image.Id, image.Path, reason, ImageStatus.Failed), ImageStatus.Failed, 0, 0, $"skipped {image.Path}: {reason}");
                reason = $"{e.GetType().Name}: {reason}";
                return new ImageOutcome(image, outputs.Failed(image.Id, image.Path, reason, ImageStatus.Error), ImageStatus.Error, 0, 0, $"error {image.Path}: {reason}");
            }
        }
        // Cache notices say why later runs are not faster or why maps were recomputed; --quiet keeps them.
        void Notice(string line)
        {
            if (request.Quiet) Console.Error.WriteLine(line);
            else progress.Note(line);
        }
        var todo = mine.Where(i => !finished.Contains(i.Index)).ToList();
        progress.Run(OrderedWork.Ahead(todo, request.ParallelImages, Compute), done =>
        {
            if (done.Note != null) progress.Note(done.Note);
            foreach (var line in cache?.TakeNotices() ?? []) Notice(line);
            outputs.Commit(done.Image.Index, done.Status, done.Rows, done.SaliencySeconds, done.LocalisationSeconds);
        });
        int sessionImages = outputs.Finished.Count - before;
        outputs.Close();
        if (request.SaveNpy) NpyMaps.WriteSizes(request.OutDir, outputs.Finished.Where(e => e.Status is ImageStatus.Ok or ImageStatus.Warning).Select(e => images[e.Index].Path));

        var summary = RunSummary.Of(outputs.Finished, mine.Count, total.Elapsed.TotalSeconds, sessionImages);
        RunReport.Write(request, card, modelSha, runner.Device, summary, cache);
        if (request.Report) HtmlReport.Write(request.OutDir);
        Console.WriteLine($"{summary.Scored} images, {summary.Failed} skipped, {summary.Errors} errors, {summary.Warnings} warnings, " +
            $"{summary.SecondsPerImage:F2} s per image ({runner.Device}); results in {request.OutDir}");
        if (mine.Count == 0)
        {
            // More shards than images: an empty folder that merge takes, not a failure that stops it.
            Console.Error.WriteLine($"notice: shard {request.Shard} takes none of the {images.Count} images; nothing to do");
            return CommandErrors.Done;
        }
        if (summary.Errors > 0)
        {
            Console.Error.WriteLine($"error: {summary.Errors} images failed for a reason other than bad input (status 'error' in {Path.Combine(request.OutDir, RunOutputs.ErrorsFile)}); rerun the same command to retry them");
            return CommandErrors.Failed;
        }
        if (summary.Scored == 0)
        {
            Console.Error.WriteLine($"error: no image could be scored ({summary.Failed} skipped); reasons in {Path.Combine(request.OutDir, RunOutputs.ErrorsFile)}");
            return CommandErrors.Failed;
        }
        return CommandErrors.Done;
    }

    /// <summary>One image's rows and status, computed on a worker, committed in list order.</summary>
    private sealed record ImageOutcome(ImageEntry Image, ImageRows Rows, ImageStatus Status, double SaliencySeconds, double LocalisationSeconds, string? Note);

    /// <summary>A failure to write the run's own folder (e.g. its maps on a full disk) stops the run; it is not the image's fault.</summary>
    private static bool IsOutputFailure(Exception e, string outDir) =>
        e is IOException && e.Message.Contains(Path.GetFullPath(outDir), StringComparison.Ordinal);
}
