using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Scoring;
using Pipeline.Stages;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline run`: saliency maps and weakly supervised boxes for a folder of images, written as an
/// ILSVRC localisation file. One unreadable image costs one line in errors.csv, never the run.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "gradient model made by export-grad", Required = true };
        var images = new Option<string>("--images") { Description = "folder of images, or a text file listing image paths", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder", Required = true };
        var top = new Option<int>("--top") { Description = "classes (and boxes) per image", DefaultValueFactory = _ => 5 };
        var crops = new Option<int>("--crops") { Description = "10 (corners, centre and their mirrors) or 1 (centre)", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "kaggle (loc.csv) or devkit (loc.txt, 1-based class ids)", DefaultValueFactory = _ => "kaggle" };
        var saveMaps = new Option<bool>("--save-maps") { Description = "write a saliency PNG and an overlay PNG with the box per image and class" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "auto" };
        var cardFile = new Option<FileInfo?>("--card") { Description = "model card JSON (overrides the one stored in the model)" };
        var method = new Option<string>("--method") { Description = $"localisation: {string.Join(", ", Localiser.All.Select(l => l.Name))}", DefaultValueFactory = _ => "mass-box" };
        var truth = new Option<FileInfo?>("--truth") { Description = "LOC_val_solution.csv: also box the ground-truth class (loc_gt.csv, for GT-known accuracy)" };
        var defaults = new LocalisationOptions();
        var fgQuantile = new Option<double>("--fg-quantile") { Description = "foreground seed quantile", DefaultValueFactory = _ => defaults.ForegroundQuantile };
        var bgQuantile = new Option<double>("--bg-quantile") { Description = "background seed quantile", DefaultValueFactory = _ => defaults.BackgroundQuantile };
        var components = new Option<int>("--components") { Description = "GMM components", DefaultValueFactory = _ => defaults.Components };
        var iterations = new Option<int>("--iterations") { Description = "GrabCut iterations", DefaultValueFactory = _ => defaults.Iterations };
        var segmentationSide = new Option<int>("--segmentation-side") { Description = "longer side of the image the segmentation runs on", DefaultValueFactory = _ => defaults.SegmentationSide };
        var smoothing = new Option<double>("--smoothing") { Description = "mass-box method: Gaussian sigma as a fraction of the shorter side", DefaultValueFactory = _ => defaults.Smoothing };
        var massTail = new Option<double>("--mass-tail") { Description = "mass-box method: share of the saliency mass left outside each side", DefaultValueFactory = _ => defaults.MassTail };
        var massPower = new Option<double>("--mass-power") { Description = "mass-box method: power the map is raised to", DefaultValueFactory = _ => defaults.MassPower };
        var mapCache = new Option<DirectoryInfo?>("--map-cache") { Description = "keep saliency maps here and reuse them (to try localisation settings without recomputing gradients)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("run", "Saliency maps and weakly supervised boxes for a folder of images.")
        {
            model, images, output, top, crops, format, saveMaps, device, cardFile, method, truth,
            fgQuantile, bgQuantile, components, iterations, segmentationSide, smoothing, massTail, massPower, mapCache, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var modelFile = parse.GetValue(model)!;
            var outDir = parse.GetValue(output)!.FullName;
            var formatName = parse.GetValue(format)!;
            if (formatName is not ("kaggle" or "devkit")) throw new InputException($"--format '{formatName}': expected kaggle or devkit");
            int cropCount = parse.GetValue(crops);
            if (cropCount is not (1 or 10)) throw new InputException($"--crops {cropCount}: expected 10 or 1");
            var localiser = Localiser.Named(parse.GetValue(method)!);
            var options = new LocalisationOptions
            {
                ForegroundQuantile = parse.GetValue(fgQuantile), BackgroundQuantile = parse.GetValue(bgQuantile),
                Components = parse.GetValue(components), Iterations = parse.GetValue(iterations),
                SegmentationSide = parse.GetValue(segmentationSide), Smoothing = parse.GetValue(smoothing),
                MassTail = parse.GetValue(massTail), MassPower = parse.GetValue(massPower),
            };
            var modelBytes = ModelFiles.Read(modelFile);
            var paths = ImageList.From(parse.GetValue(images)!);
            using var runner = new GradientRunner(modelBytes, DeviceChoice.Parse(parse.GetValue(device)!), parse.GetValue(threads));
            var card = CardFor(runner, parse.GetValue(cardFile), modelFile.Name);
            card.CheckFits(runner.ImageShape, runner.ScoreCount(), modelFile.Name);
            var truthBoxes = parse.GetValue(truth) is { } t ? LocFile.Read(t.FullName) : null;
            var classOf = card.Classes.Select((c, i) => (c.Wnid, i)).GroupBy(p => p.Wnid).ToDictionary(g => g.Key, g => g.First().i);

            Directory.CreateDirectory(outDir);
            var mapDir = Path.Combine(outDir, "maps");
            if (parse.GetValue(saveMaps)) Directory.CreateDirectory(mapDir);
            var cache = parse.GetValue(mapCache) is { } cacheDir ? new MapCache(cacheDir.FullName, Convert.ToHexStringLower(SHA256.HashData(modelBytes)), cropCount) : null;
            var explainer = new ImageExplainer(runner, card, cropCount, parse.GetValue(top), localiser, options, cache);
            var total = Stopwatch.StartNew();
            double saliency = 0, localisation = 0;
            int done = 0, failed = 0;
            using (var outputs = new RunOutputs(outDir, formatName, truthBoxes != null))
            {
                foreach (var path in paths)
                {
                    var id = ImageList.ImageId(path);
                    try
                    {
                        int? gtClass = truthBoxes != null && truthBoxes.TryGetValue(id, out var gt) && gt.Count > 0 && classOf.TryGetValue(gt[0].Wnid, out var g) ? g : null;
                        using var result = explainer.Explain(path, gtClass);
                        outputs.Add(id, result.Top.Select(r => new LabelledBox(card.Classes[r.ClassIndex].Wnid, r.Located.Box)).ToList(), result.Top.Select(r => r.ClassIndex + 1).ToList());
                        if (result.GroundTruthClass is { } gtResult)
                            outputs.AddGroundTruthClass(id, new LabelledBox(card.Classes[gtResult.ClassIndex].Wnid, gtResult.Located.Box));
                        if (parse.GetValue(saveMaps)) SaveMaps(mapDir, id, result, card);
                        saliency += result.SaliencySeconds;
                        localisation += result.LocalisationSeconds;
                        done++;
                        Console.Error.Write($"\r{done + failed}/{paths.Count} images");
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Whatever one image does, the run goes on and keeps what it has.
                        failed++;
                        outputs.AddError(path, e.Message.Split('\n')[0]);
                        Console.Error.WriteLine($"\rskipped {path}: {e.Message.Split('\n')[0]}");
                    }
                }
            }
            Console.Error.WriteLine();
            WriteReport(outDir, modelFile, modelBytes, card, parse, runner.Device, done, failed, total.Elapsed.TotalSeconds, saliency, localisation, localiser.Name, options);
            Console.WriteLine($"{done} images, {failed} errors, {total.Elapsed.TotalSeconds / Math.Max(1, done + failed):F2} s per image ({runner.Device}); results in {outDir}");
        }));
        return command;
    }

    /// <summary>The card from --card, else the one export-grad stored in the model.</summary>
    public static ModelCard CardFor(GradientRunner runner, FileInfo? file, string modelName)
    {
        if (file != null) return ModelCard.Load(file.FullName);
        if (runner.Metadata.TryGetValue(ModelCard.MetadataKey, out var json)) return ModelCard.Parse(json, $"{modelName} (stored card)");
        throw new InputException($"{modelName}: no model card stored; pass --card (see models/onnx/*.card.json) or export with --card");
    }

    private static void SaveMaps(string folder, string id, ImageResult result, ModelCard card)
    {
        foreach (var (r, rank) in result.Top.Select((r, i) => (r, i + 1)))
            MapImages.Save(folder, $"{id}_{rank}_{card.Classes[r.ClassIndex].Wnid}", result.Image, r.Map, r.Located.Box);
    }

    private static void WriteReport(string outDir, FileInfo model, byte[] modelBytes, ModelCard card, ParseResult parse, string device,
        int done, int failed, double seconds, double saliency, double localisation, string method, LocalisationOptions options)
    {
        var report = new Dictionary<string, object?>
        {
            ["model"] = model.FullName,
            ["modelSha256"] = Convert.ToHexStringLower(SHA256.HashData(modelBytes)),
            ["card"] = JsonDocument.Parse(card.ToJson()).RootElement,
            ["method"] = method,
            ["localisation"] = options,
            ["arguments"] = parse.Tokens.Select(t => t.Value).ToArray(),
            ["device"] = device,
            ["versions"] = new Dictionary<string, string?>
            {
                ["pipeline"] = typeof(RunCommand).Assembly.GetName().Version?.ToString(3),
                ["onnxruntime"] = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3),
                ["opencv"] = Cv2.GetVersionString(),
                ["dotnet"] = Environment.Version.ToString(),
            },
            ["images"] = done,
            ["errors"] = failed,
            ["timings"] = new Dictionary<string, double>
            {
                ["totalSeconds"] = seconds,
                ["secondsPerImage"] = seconds / Math.Max(1, done + failed),
                ["saliencySecondsPerImage"] = saliency / Math.Max(1, done),
                ["localisationSecondsPerImage"] = localisation / Math.Max(1, done),
            },
        };
        File.WriteAllText(Path.Combine(outDir, "run.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    }
}
