using System.CommandLine;
using System.Text.Json;
using Pipeline.Scoring;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline eval`: by default (--protocol ilsvrc) ILSVRC top-1/top-5 localisation and classification
/// error of a loc.csv against LOC_val_solution.csv, with GT-known localisation accuracy when loc_gt.csv
/// (from run --truth) is beside it; --protocol maxboxacc: MaxBoxAcc v1 and v2 of a folder of score maps.
/// </summary>
public static class EvalCommand
{
    // camelCase, as run.json: scripts read both with one convention.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var protocol = Choice.Of("--protocol", "ilsvrc (boxes in --pred) or maxboxacc (score maps in --maps; Choe et al., CVPR 2020)", [("ilsvrc", "ilsvrc"), ("maxboxacc", "maxboxacc")], "ilsvrc");
        var pred = new Option<FileInfo?>("--pred") { Description = "ilsvrc: predictions, ImageId,PredictionString (loc.csv), or a devkit loc.txt (with --images)" };
        var images = new Option<string?>("--images") { Description = "ilsvrc with a devkit loc.txt: the DIR or LIST.txt its run was given (the image order of its lines)" };
        var maps = new Option<DirectoryInfo?>("--maps") { Description = "maxboxacc: folder of IMAGE_ID[.ext].npy score maps and image_sizes.txt (run --save-npy: OUTDIR/npy/gt)" };
        var truth = new Option<FileInfo>("--truth") { Description = "ground truth, LOC_val_solution.csv", Required = true };
        var synsets = new Option<FileInfo?>("--synsets") { Description = "LOC_synset_mapping.txt: refuse predictions with unknown wnids" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the scores as JSON here (maxboxacc: with the accuracy at every threshold)" };
        var perImage = new Option<FileInfo?>("--per-image") { Description = "ilsvrc: also write each image's errors (0 right, 1 wrong) as CSV here" };
        var against = new Option<FileInfo?>("--against") { Description = "ilsvrc: another loc.csv of the same images; compare the two image by image (McNemar's exact test)" };
        var command = new Command("eval", "Score a localisation CSV by the ILSVRC rules, or score maps by MaxBoxAcc.") { protocol, pred, images, maps, truth, synsets, json, perImage, against };
        command.SetAction(parse => CommandErrors.Run(() => Execute(new EvalRequest(parse.GetValue(protocol)!, parse.GetValue(pred), parse.GetValue(images),
            parse.GetValue(maps), parse.GetValue(truth)!, parse.GetValue(synsets), parse.GetValue(json))
            { PerImage = parse.GetValue(perImage), Against = parse.GetValue(against) })));
        return command;
    }

    /// <summary>What eval was asked to score.</summary>
    public sealed record EvalRequest(string Protocol, FileInfo? Pred, string? Images, DirectoryInfo? Maps, FileInfo Truth, FileInfo? Synsets, FileInfo? Json)
    {
        public FileInfo? PerImage { get; init; }
        public FileInfo? Against { get; init; }
    }

    public static void Execute(EvalRequest request)
    {
        var name = request.Protocol;
        var truthPath = request.Truth.FullName;
        var groundTruth = LocFile.Read(truthPath);
        if (groundTruth.Count == 0) throw new InputException($"{truthPath}: no images (a header and no rows): nothing to score against");
        if (groundTruth.FirstOrDefault(g => g.Value.Count == 0) is { Key: { } empty })
            throw new InputException($"{truthPath}: image {empty} has no ground-truth box");
        if (name == "maxboxacc")
        {
            if (request.Pred != null) throw new UsageException("--pred is for --protocol ilsvrc; maxboxacc scores the maps in --maps");
            if (request.PerImage != null || request.Against != null)
                throw new UsageException($"{(request.PerImage != null ? "--per-image" : "--against")} is for --protocol ilsvrc");
            var folder = request.Maps ?? throw new UsageException("--protocol maxboxacc needs --maps DIR (the score maps)");
            MaxBoxAccReport(folder.FullName, groundTruth, request.Json);
            return;
        }
        if (request.Maps != null) throw new UsageException("--maps is for --protocol maxboxacc");
        var predPath = (request.Pred ?? throw new UsageException("--protocol ilsvrc needs --pred loc.csv")).FullName;
        RefuseOutputOverInput(request);
        // Everything that can fail is checked before a score is printed: a refusal leaves no half-done output.
        if (request.Against is { } againstInput)
        {
            if (Path.GetFullPath(againstInput.FullName) == Path.GetFullPath(predPath)) throw new UsageException($"--against {againstInput.FullName} is --pred itself");
            FileKinds.Require(againstInput.FullName);
        }
        foreach (var (output, file) in new[] { ("--per-image", request.PerImage), ("--json", request.Json) })
            if (file?.Directory is { Exists: false } folder) throw new UsageException($"{output} {file.FullName}: its folder {folder.FullName} does not exist");
        var scores = ImageScore.Each(ReadPredictions(predPath, request, groundTruth), groundTruth, GtKnownBeside(predPath));
        var score = IlsvrcScore.Of(scores);
        Console.WriteLine($"images                       {score.Images} ({score.Missing} without predictions)");
        Console.WriteLine($"top-1 localisation error     {100 * score.Top1LocalisationError:F1}%");
        Console.WriteLine($"top-5 localisation error     {100 * score.Top5LocalisationError:F1}%");
        Console.WriteLine($"top-1 classification error   {100 * score.Top1ClassificationError:F1}%");
        Console.WriteLine($"top-5 classification error   {100 * score.Top5ClassificationError:F1}%");
        if (score.GtKnownLocalisationAccuracy is { } k) Console.WriteLine($"GT-known localisation acc.   {100 * k:F1}%");
        List<PairedComparison>? paired = null;
        if (request.Against is { } againstFile)
        {
            var againstPath = againstFile.FullName;
            var againstScores = ImageScore.Each(ReadPredictions(againstPath, request, groundTruth), groundTruth);
            // An image one run never reached counts as wrong there: a difference of coverage, not of method.
            if (scores.Zip(againstScores).Count(p => p.First.Missing != p.Second.Missing) is > 0 and var uneven)
                Console.Error.WriteLine($"warning: {againstPath}: {uneven} of {scores.Count} images have predictions in only one of --pred and --against; the comparison counts them as wrong where missing");
            paired = PairedComparison.All(scores, againstScores);
            Console.WriteLine($"against {againstPath}, image by image ({paired[0].Images} images; negative: --pred has fewer errors):");
            foreach (var c in paired)
                Console.WriteLine($"  {c.Error,-27} {100 * c.Difference:+0.0;-0.0;0.0} points (95% {100 * c.Low:+0.0;-0.0;0.0} to {100 * c.High:+0.0;-0.0;0.0}), "
                    + $"wrong in --pred only {c.OnlyFirstWrong}, in --against only {c.OnlySecondWrong}, McNemar exact p {(c.PValue < 0.0001 ? "< 0.0001" : $"= {c.PValue:0.0000}")}");
        }
        if (request.PerImage is { } perImage)
            File.WriteAllLines(perImage.FullName, [ImageScore.Header, .. scores.Select(s => s.Row())]);
        if (request.Json is { } j)
        {
            // The score's own fields first, so that scripts reading them see no change; the comparison beside them.
            var report = JsonSerializer.SerializeToNode(score, Json)!.AsObject();
            if (paired != null)
            {
                report["against"] = request.Against!.FullName;
                report["paired"] = JsonSerializer.SerializeToNode(paired, Json);
            }
            File.WriteAllText(j.FullName, report.ToJsonString(Json));
        }
    }

    /// <summary>--per-image and --json are written after the scoring: one naming an input file would replace it.</summary>
    private static void RefuseOutputOverInput(EvalRequest request)
    {
        var inputs = new[] { ("--pred", request.Pred), ("--against", request.Against), ("--truth", request.Truth) };
        foreach (var (output, file) in new[] { ("--per-image", request.PerImage), ("--json", request.Json) })
            if (file != null && inputs.FirstOrDefault(i => i.Item2 != null && Path.GetFullPath(i.Item2.FullName) == Path.GetFullPath(file.FullName)) is { Item1: { } input })
                throw new UsageException($"{output} {file.FullName} is {input} itself: writing it would replace the file being scored");
    }

    /// <summary>A loc.csv, or a devkit loc.txt in the order of --images; its wnids checked against --synsets when given.</summary>
    private static Dictionary<string, List<LabelledBox>> ReadPredictions(string path, EvalRequest request, Dictionary<string, List<LabelledBox>> truth)
    {
        FileKinds.Require(path);
        var predictions = DevkitLocFile.Is(path)
            ? DevkitPredictions.Read(path, request.Images, request.Synsets)
            : request.Images == null ? LocFile.Read(path)
            : throw new UsageException($"--images is for a devkit loc.txt; {path} is a Kaggle CSV, which names its images");
        if (request.Synsets is { } s)
        {
            FileKinds.Require(s.FullName);
            var known = File.ReadLines(s.FullName).Select(l => l.Split(' ')[0]).ToHashSet();
            if (predictions.SelectMany(p => p.Value).FirstOrDefault(b => !known.Contains(b.Wnid)) is { Wnid: { } unknown })
                throw new InputException($"{path}: wnid '{unknown}' is not in {s.FullName}");
        }
        if (predictions.Keys.Count(k => !truth.ContainsKey(k)) is > 0 and var extra)
            Console.Error.WriteLine($"note: {path}: {extra} predicted image(s) are not in the ground truth and are not scored");
        return predictions;
    }

    /// <summary>run --truth's loc_gt.csv beside a loc.csv, for GT-known accuracy.</summary>
    private static Dictionary<string, List<LabelledBox>>? GtKnownBeside(string predPath)
    {
        var gtPath = Path.Combine(Path.GetDirectoryName(predPath)!, "loc_gt.csv");
        return File.Exists(gtPath) ? LocFile.Read(gtPath) : null;
    }

    private static void MaxBoxAccReport(string mapsDir, Dictionary<string, List<LabelledBox>> truth, FileInfo? json)
    {
        var folder = new ScoreMapFolder(mapsDir);
        var score = MaxBoxAcc.Evaluate(truth, folder.Load);
        Console.WriteLine($"images                       {score.Images} ({score.Missing} without a map in {mapsDir}, counted as wrong)");
        if (score.Missing == score.Images) Console.Error.WriteLine($"warning: no ground-truth image has a map in {mapsDir} ({folder.Count} .npy files there)");
        Console.WriteLine($"MaxBoxAcc (v1, IoU 0.5)      {100 * score.MaxBoxAccV1:F1}%  (best tau {score.V1.BestTau:F2})");
        Console.WriteLine($"MaxBoxAccV2 (IoU .3/.5/.7)   {100 * score.MaxBoxAccV2:F1}%  (" +
            string.Join(", ", score.V2.Select(c => $"IoU {c.IoU:F1}: {100 * c.Max:F1}% at tau {c.BestTau:F2}")) + ")");
        if (json != null)
            File.WriteAllText(json.FullName, JsonSerializer.Serialize(new { Protocol = "maxboxacc", Maps = mapsDir, score.Images, score.Missing,
                score.MaxBoxAccV1, score.MaxBoxAccV2, score.Thresholds, score.V1, score.V2 },
                Json));
    }
}
