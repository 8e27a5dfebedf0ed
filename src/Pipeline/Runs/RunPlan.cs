using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Scoring;

namespace Pipeline.Runs;

/// <summary>
/// What a run will do, settled before its first image: the model (read once, its first runner made),
/// the card, the image list and this shard's part of it, the truth boxes, the options with the
/// rule's defaults filled in, and the fingerprint that decides whether a folder continues this run.
/// Everything that can be refused is refused here.
/// </summary>
public sealed class RunPlan : IDisposable
{
    public required RunRequest Request { get; init; }
    public required byte[] ModelBytes { get; init; }
    public required string ModelSha256 { get; init; }
    public required GradientRunner Runner { get; init; }
    public required ModelCard Card { get; init; }
    public required IReadOnlyList<ImageEntry> Images { get; init; }
    /// <summary>The images of this shard, in list order.</summary>
    public required IReadOnlyList<ImageEntry> Mine { get; init; }
    public required Dictionary<string, List<LabelledBox>>? Truth { get; init; }
    public required RunFingerprint Fingerprint { get; init; }

    public static RunPlan Make(RunRequest request)
    {
        var modelBytes = ModelFiles.Read(request.Model);
        var images = ImageList.From(request.Images);
        var runner = new GradientRunner(modelBytes, request.Device, request.ThreadsPerImage, request.Model.FullName);
        try
        {
            var card = CardChoice.For(runner.Info, request.Card, request.CardOverride);
            card.CheckFits(runner.ImageShape, runner.ScoreCount(), request.Model.Name);
            if (request.Explain.Top > card.Classes.Count)
                throw new UsageException($"--top {request.Explain.Top}: the model has only {card.Classes.Count} classes");
            if (request.Explain.Map.NeedsCam && (runner.CamShape == null || !runner.HasOutput(request.Explain.Map.CamOutput)))
                throw new InputException($"{request.Model.Name}: --map {request.Explain.Map.Name} needs the model's {request.Explain.Map.CamOutput} output; export it with `Pipeline export-grad --cam`"
                    + (runner.CamShape != null ? " again (this model was exported before that output existed)" : ""));
            if (request.Explain.Map.Refusal((int)runner.ImageShape[^1]) is { } refusal) throw new UsageException(refusal);
            var truth = request.Truth is { } t ? LocFile.Read(t.FullName) : null;
            // Settings left open take the defaults for the model's backward rule (gradient or guided maps).
            request = request with { Explain = request.Explain with { Options = request.Explain.Options.ForRule(runner.Info.Rule) } };
            var modelSha = RunFingerprint.Sha256(modelBytes);
            var fingerprint = new RunFingerprint
            {
                ModelSha256 = modelSha,
                CardSha256 = RunFingerprint.Sha256(card.ToJson()),
                ImagesSha256 = RunFingerprint.ImagesSha256Of(request.Images, images),
                FullPathImagesSha256 = RunFingerprint.FullPathImagesSha256Of(images),
                ImageCount = images.Count,
                TruthSha256 = request.Truth is { } tf ? RunFingerprint.Sha256(File.ReadAllBytes(tf.FullName)) : null,
                Options = request.OutputOptions(),
                Shard = request.Shard,
            };
            return new RunPlan
            {
                Request = request, ModelBytes = modelBytes, ModelSha256 = modelSha, Runner = runner, Card = card, Images = images,
                Mine = images.Where(i => request.Shard.Takes(i.Index)).ToList(), Truth = truth, Fingerprint = fingerprint,
            };
        }
        catch
        {
            runner.Dispose();
            throw;
        }
    }

    /// <summary>Another runner like the first, for an image in flight (see <see cref="RunnerPool{TRunner}"/>).</summary>
    public GradientRunner NewRunner() => new(ModelBytes, Request.Device, Request.ThreadsPerImage, Request.Model.FullName);

    public void Dispose() => Runner.Dispose();
}
