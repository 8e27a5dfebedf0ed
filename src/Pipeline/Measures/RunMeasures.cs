using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Outputs;
using Pipeline.Runs;
using Pipeline.Scoring;

namespace Pipeline.Measures;

/// <summary>One image's measures: its top-1 class, its probability on the whole image, the two areas, and the pointing game (null without a ground-truth-class map).</summary>
public sealed record ImageMeasures(string ImageId, string Wnid, double Probability, PixelCurve Deletion, PixelCurve Insertion, Pointing? Pointing);

/// <summary>
/// `Pipeline measure` on a finished run's folder: for every image with a top-1 guess in
/// predictions.csv and a map in npy/top1 (run --save-npy), deletion and insertion of that map
/// (<see cref="DeletionInsertion"/>) for the top-1 class, on the whole image resized to the model's
/// side (the view the 224x224 protocol map covers; with a card that crops, not quite what the run's
/// crops saw); and with ground-truth-class maps (npy/gt, run --truth) the pointing game against the
/// truth's boxes of that class. Writes measures.csv, curves.csv, measures.json and measures.svg
/// into the folder (each whole or not at all), and report.html again where the run made one.
/// </summary>
public static class RunMeasures
{
    public sealed record Summary(int Measured, int WithoutMap, double DeletionAuc, double InsertionAuc, int PointingImages, int PointingHits);

    public static Summary Measure(MeasureRequest request)
    {
        var dir = Path.GetFullPath(request.RunDir);
        var runJsonPath = Path.Combine(dir, RunArtifacts.ReportFile);
        if (!File.Exists(runJsonPath)) throw new InputException($"{dir}: no {RunArtifacts.ReportFile}: not a finished run folder");
        using var folderLock = FolderLock.Acquire(dir);
        using var runJson = ParseJson(runJsonPath);
        var run = runJson.RootElement;
        var card = CardReader.Read(Property(run, "card", runJsonPath).GetRawText(), $"{runJsonPath} (card)");
        var modelFile = request.Model ?? new FileInfo(Property(run, "model", runJsonPath).GetString() ?? "");
        var modelBytes = ModelFiles.Read(modelFile);
        if (RunFingerprint.Sha256(modelBytes) != Property(run, "modelSha256", runJsonPath).GetString())
            throw new InputException($"{modelFile.FullName}: not the run's model (its SHA-256 differs from {runJsonPath}'s); give the run's gradient model with --model");
        var images = ImageList.From(request.Images);
        CheckImages(dir, request.Images, images);
        var topClass = TopClasses(Path.Combine(dir, RunArtifacts.PredictionsFile));
        var top1Dir = Path.Combine(dir, NpyMaps.Folder, NpyMaps.Top1);
        if (!Directory.Exists(top1Dir)) throw new InputException($"{dir}: no {NpyMaps.Folder}/{NpyMaps.Top1} maps; run with --save-npy");
        var truthPath = request.Truth?.FullName ?? (run.TryGetProperty("truth", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        var truth = truthPath != null ? LocFile.Read(truthPath) : null;
        var classOf = card.Classes.Select((c, i) => (c.Wnid, i)).ToDictionary(p => p.Wnid, p => p.i);

        using var runner = new GradientRunner(modelBytes, request.Device, request.Threads, modelFile.FullName);
        int side = (int)runner.ImageShape[^1];
        if (runner.ImageShape[^2] != side) throw new InputException($"{modelFile.FullName}: input {runner.ImageShape[^2]}x{side} is not square; measure reads square maps");
        var measure = new DeletionInsertion(request.Steps);
        var results = new List<ImageMeasures>();
        int withoutMap = 0;
        var toMeasure = images.Where(i => topClass.ContainsKey(i.Id)).ToList();
        foreach (var image in toMeasure)
        {
            var mapId = NpyMaps.MapId(image.Path);
            var mapPath = Path.Combine(top1Dir, mapId + ".npy");
            if (!File.Exists(mapPath)) { withoutMap++; continue; }
            var wnid = topClass[image.Id];
            if (!classOf.TryGetValue(wnid, out int cls)) throw new InputException($"{RunArtifacts.PredictionsFile}: class {wnid} of {image.Id} is not in the run's card");
            var header = ImageProbe.Read(image.Path);
            var tensor = Tensor(image.Path, header, side, card.Pixels);
            var map = MapAt(mapPath, side);
            var (deletion, insertion) = measure.Curves(runner, tensor, map, side, cls + card.ClassOffset);
            var pointing = Pointing(dir, mapId, truth?.GetValueOrDefault(image.Id), header);
            results.Add(new ImageMeasures(image.Id, wnid, deletion.Probabilities[0], deletion, insertion, pointing));
            if (!request.Quiet) Console.Error.Write($"\rmeasured {results.Count}/{toMeasure.Count}");
        }
        if (!request.Quiet && results.Count > 0) Console.Error.WriteLine();
        if (results.Count == 0) throw new InputException($"{dir}: no image has a top-1 guess in {RunArtifacts.PredictionsFile} and a map in {NpyMaps.Folder}/{NpyMaps.Top1}");
        var summary = Write(dir, results, withoutMap, request.Steps, modelFile.FullName, truthPath);
        if (File.Exists(Path.Combine(dir, RunArtifacts.HtmlFile))) HtmlReport.Write(dir);
        return summary;
    }

    /// <summary>The image at the model's side (shrunk by area, enlarged by cubic, as NpyMaps brings maps to 224) in model units.</summary>
    private static float[] Tensor(string path, ImageHeader header, int side, PixelTransform pixels)
    {
        using var decoded = ImageDecoder.Decode(path, header, new Size(side, side), long.MaxValue);
        var interpolation = decoded.Width >= side && decoded.Height >= side ? InterpolationFlags.Area : InterpolationFlags.Cubic;
        using var resized = decoded.Resize(new Size(side, side), 0, 0, interpolation);
        var tensor = new float[3 * side * side];
        Preprocessing.ToTensor(resized, pixels, tensor);
        return tensor;
    }

    /// <summary>A .npy map at side x side (bilinear where its size differs); a map with a NaN or infinity refused, naming the file.</summary>
    private static float[] MapAt(string path, int side)
    {
        var map = NpyFile.Read(path);
        if (!map.Values.All(double.IsFinite)) throw new InputException($"{path}: a map with a NaN or an infinity has no pixel order");
        var values = Array.ConvertAll(map.Values, v => (float)v);
        if (map.Width == side && map.Height == side) return values;
        using var small = new Mat(map.Height, map.Width, MatType.CV_32FC1);
        small.SetArray(values);
        using var large = small.Resize(new Size(side, side), 0, 0, InterpolationFlags.Linear);
        large.GetArray(out float[] result);
        return result;
    }

    private static Pointing? Pointing(string dir, string mapId, List<LabelledBox>? boxes, ImageHeader header)
    {
        var gtPath = Path.Combine(dir, NpyMaps.Folder, NpyMaps.GroundTruth, mapId + ".npy");
        if (boxes is not { Count: > 0 } || !File.Exists(gtPath)) return null;
        var map = NpyFile.Read(gtPath);
        // The run's ground-truth class: its first box's, as `run --truth` chose it.
        var wnid = boxes[0].Wnid;
        return PointingGame.Play(map.Values, map.Width, map.Height, header.Width, header.Height, boxes.Where(b => b.Wnid == wnid).Select(b => b.Box));
    }

    /// <summary>The rank-1 wnid per ImageId from predictions.csv.</summary>
    private static Dictionary<string, string> TopClasses(string path)
    {
        FileKinds.Require(path);
        var top = new Dictionary<string, string>();
        using var reader = new StreamReader(path);
        using var csv = new CsvParser(reader, CultureInfo.InvariantCulture);
        csv.Read();
        if (csv.Record is not ["image", "rank", "wnid", ..]) throw new InputException($"{path}: not a predictions.csv (image,rank,wnid,...)");
        while (csv.Read())
            if (csv.Record is [var id, "1", var wnid, ..]) top[id] = wnid;
        return top;
    }

    private static void CheckImages(string dir, string images, List<ImageEntry> entries)
    {
        var statePath = Path.Combine(dir, RunArtifacts.StateFile);
        if (!File.Exists(statePath)) return;
        var state = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
        if (state.ImagesSha256 != RunFingerprint.ImagesSha256Of(images, entries) && state.ImagesSha256 != RunFingerprint.FullPathImagesSha256Of(entries))
            throw new InputException($"{images}: not the image list of the run in {dir} ({statePath} records another); give the --images its run was given");
    }

    private static Summary Write(string dir, List<ImageMeasures> results, int withoutMap, int steps, string model, string? truthPath)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var table = new StringBuilder("image,wnid,probability,deletion_auc,insertion_auc,pointing,pointing_x,pointing_y\n");
        foreach (var r in results)
        {
            string pointing = r.Pointing == null ? "" : r.Pointing.Point == null ? "flat" : r.Pointing.Hit ? "hit" : "miss";
            table.Append(RowFormat.CsvLine([r.ImageId, r.Wnid, F(r.Probability), F(r.Deletion.Auc), F(r.Insertion.Auc), pointing,
                r.Pointing?.Point is { } p ? p.X.ToString("F1", CultureInfo.InvariantCulture) : "", r.Pointing?.Point is { } q ? q.Y.ToString("F1", CultureInfo.InvariantCulture) : ""]));
        }
        var curves = new StringBuilder("image,curve,step,fraction,probability\n");
        foreach (var r in results)
        foreach (var (name, curve) in new[] { ("deletion", r.Deletion), ("insertion", r.Insertion) })
            for (int k = 0; k < curve.Fractions.Length; k++)
                curves.Append(RowFormat.CsvLine([r.ImageId, name, k.ToString(CultureInfo.InvariantCulture), F(curve.Fractions[k]), F(curve.Probabilities[k])]));

        var fractions = results[0].Deletion.Fractions;
        double[] Mean(Func<ImageMeasures, PixelCurve> of) => fractions.Select((_, k) => results.Average(r => of(r).Probabilities[k])).ToArray();
        var pointed = results.Where(r => r.Pointing != null).ToList();
        var summary = new Summary(results.Count, withoutMap, results.Average(r => r.Deletion.Auc), results.Average(r => r.Insertion.Auc),
            pointed.Count, pointed.Count(r => r.Pointing!.Hit));
        var json = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["truth"] = truthPath,
            ["journalSha256"] = MeasureFiles.JournalSha256(dir),
            ["steps"] = steps,
            ["deletionSubstrate"] = "the model's zero (0 in its input units)",
            ["insertionSubstrate"] = $"Gaussian blur, {DeletionInsertion.BlurKernel}x{DeletionInsertion.BlurKernel}, sigma {DeletionInsertion.BlurSigma}",
            ["class"] = "top-1 (predictions.csv rank 1); map npy/top1",
            ["images"] = summary.Measured,
            ["imagesWithoutMap"] = withoutMap,
            ["deletionAuc"] = summary.DeletionAuc,
            ["insertionAuc"] = summary.InsertionAuc,
            ["pointingGame"] = summary.PointingImages == 0 ? null : new Dictionary<string, object>
            {
                ["images"] = summary.PointingImages, ["hits"] = summary.PointingHits,
                ["accuracy"] = (double)summary.PointingHits / summary.PointingImages, ["tolerancePixels"] = PointingGame.Tolerance,
            },
            ["meanCurves"] = new Dictionary<string, double[]> { ["fraction"] = fractions, ["deletion"] = Mean(r => r.Deletion), ["insertion"] = Mean(r => r.Insertion) },
        };
        WriteWhole(Path.Combine(dir, MeasureFiles.Table), table.ToString());
        WriteWhole(Path.Combine(dir, MeasureFiles.Curves), curves.ToString());
        WriteWhole(Path.Combine(dir, MeasureFiles.Plot), CurvePlot.Svg(fractions, Mean(r => r.Deletion), Mean(r => r.Insertion), summary.DeletionAuc, summary.InsertionAuc, summary.Measured));
        WriteWhole(Path.Combine(dir, MeasureFiles.Summary), JsonSerializer.Serialize(json, RunReport.Indented));
        return summary;
    }

    private static void WriteWhole(string path, string text)
    {
        File.WriteAllText(path + ".partial", text);
        File.Move(path + ".partial", path, overwrite: true);
    }

    private static JsonDocument ParseJson(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InputException($"{path}: not JSON ({Messages.FirstLine(e.Message)})"); }
    }

    private static JsonElement Property(JsonElement run, string name, string path) =>
        run.TryGetProperty(name, out var value) ? value : throw new InputException($"{path}: no '{name}' field; not a run.json of this version");
}
