using System.CommandLine;
using System.Text.Json;
using Pipeline.Scoring;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline eval`: ILSVRC top-1/top-5 localisation and classification error of a loc.csv against
/// LOC_val_solution.csv; GT-known localisation accuracy when loc_gt.csv (from run --truth) is beside it.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var pred = new Option<FileInfo>("--pred") { Description = "predictions, ImageId,PredictionString (loc.csv)", Required = true };
        var truth = new Option<FileInfo>("--truth") { Description = "ground truth, LOC_val_solution.csv", Required = true };
        var synsets = new Option<FileInfo?>("--synsets") { Description = "LOC_synset_mapping.txt: refuse predictions with unknown wnids" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the scores as JSON here" };
        var command = new Command("eval", "Score a localisation CSV by the ILSVRC rules.") { pred, truth, synsets, json };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var predPath = parse.GetValue(pred)!.FullName;
            var predictions = LocFile.Read(predPath);
            var truthPath = parse.GetValue(truth)!.FullName;
            var groundTruth = LocFile.Read(truthPath);
            if (groundTruth.Count == 0) throw new InputException($"{truthPath}: no images (a header and no rows): nothing to score against");
            if (groundTruth.FirstOrDefault(g => g.Value.Count == 0) is { Key: { } empty })
                throw new InputException($"{truthPath}: image {empty} has no ground-truth box");
            if (parse.GetValue(synsets) is { } s)
            {
                Stages.FileKinds.Require(s.FullName);
                var known = File.ReadLines(s.FullName).Select(l => l.Split(' ')[0]).ToHashSet();
                if (predictions.SelectMany(p => p.Value).FirstOrDefault(b => !known.Contains(b.Wnid)) is { Wnid: { } unknown })
                    throw new InputException($"{predPath}: wnid '{unknown}' is not in {s.FullName}");
            }
            var gtPath = Path.Combine(Path.GetDirectoryName(predPath)!, "loc_gt.csv");
            var gtKnown = File.Exists(gtPath) ? LocFile.Read(gtPath) : null;
            var score = IlsvrcScore.Compute(predictions, groundTruth, gtKnown);
            Console.WriteLine($"images                       {score.Images} ({score.Missing} without predictions)");
            if (predictions.Keys.Count(k => !groundTruth.ContainsKey(k)) is > 0 and var extra)
                Console.Error.WriteLine($"note: {extra} predicted image(s) are not in the ground truth and are not scored");
            Console.WriteLine($"top-1 localisation error     {100 * score.Top1LocalisationError:F1}%");
            Console.WriteLine($"top-5 localisation error     {100 * score.Top5LocalisationError:F1}%");
            Console.WriteLine($"top-1 classification error   {100 * score.Top1ClassificationError:F1}%");
            Console.WriteLine($"top-5 classification error   {100 * score.Top5ClassificationError:F1}%");
            if (score.GtKnownLocalisationAccuracy is { } k) Console.WriteLine($"GT-known localisation acc.   {100 * k:F1}%");
            if (parse.GetValue(json) is { } j) File.WriteAllText(j.FullName, JsonSerializer.Serialize(score, new JsonSerializerOptions { WriteIndented = true }));
        }));
        return command;
    }
}
