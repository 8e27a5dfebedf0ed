using System.CommandLine;
using OpenCvSharp;
using Pipeline.ClassModels;
using Pipeline.Inference;
using Pipeline.Outputs;

namespace Pipeline.Cli;

/// <summary>`Pipeline visualise`: class model visualisation (the paper's Sect. 2), one PNG per class and a contact sheet.</summary>
public static class VisualiseCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("gradient model made by export-grad (with its card)");
        var classes = new Option<string>("--class") { Description = "WNID[,WNID...]: the classes to visualise, in one batch", Required = true };
        var output = SharedOptions.OutFolder("output folder");
        var cardFile = SharedOptions.Card();
        var cardOverride = SharedOptions.CardOverride();
        var defaults = new VisualiseSettings();
        var steps = Number.Of("--steps", "gradient ascent steps", 1, 10_000, defaults.Steps);
        var step = Number.Of("--step", "step size", 0.0, 100.0, defaults.StepSize, excludeMin: true);
        var l2 = Number.Of("--l2", "lambda of the L2 penalty", 0.0, 100.0, defaults.L2);
        var jitter = Number.Of("--jitter", "random shift of up to this many pixels each step (0: none)", 0, 64, defaults.Jitter);
        var blurEvery = Number.Of("--blur-every", "blur the image every N steps (0: never)", 0, 10_000, defaults.BlurEvery);
        var blurSigma = Number.Of("--blur-sigma", "blur sigma in pixels", 0.0, 10.0, defaults.BlurSigma, excludeMin: true);
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var command = new Command("visualise", "Class model visualisation: the image that maximises a class score, by gradient ascent.")
        {
            model, classes, output, cardFile, cardOverride, steps, step, l2, jitter, blurEvery, blurSigma, device, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() => Execute(new VisualiseRequest(
            parse.GetValue(model)!, parse.GetValue(classes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            parse.GetValue(output)!.FullName, parse.GetValue(cardFile), parse.GetValue(cardOverride), parse.GetValue(device)!, parse.GetValue(threads),
            new VisualiseSettings
            {
                Steps = parse.GetValue(steps), StepSize = parse.GetValue(step), L2 = parse.GetValue(l2),
                Jitter = parse.GetValue(jitter), BlurEvery = parse.GetValue(blurEvery), BlurSigma = parse.GetValue(blurSigma),
            }))));
        return command;
    }

    /// <summary>What visualise was asked to draw, every option checked.</summary>
    public sealed record VisualiseRequest(FileInfo Model, string[] Wnids, string OutDir, FileInfo? Card, bool CardOverride, DeviceChoice Device, int Threads, VisualiseSettings Settings);

    public static void Execute(VisualiseRequest request)
    {
        var (modelFile, wnids, outDir, settings) = (request.Model, request.Wnids, request.OutDir, request.Settings);
        if (wnids.Length is 0 or > 64) throw new UsageException("--class: name 1 to 64 classes");
        using var runner = new GradientRunner(ModelFiles.Read(modelFile), request.Device, request.Threads, modelFile.FullName);
        var card = CardChoice.For(runner.Info, request.Card, request.CardOverride);
        card.CheckFits(runner.ImageShape, runner.ScoreCount(), modelFile.Name);
        var indices = wnids.Select(w => card.Classes.FindIndex(c => c.Wnid == w) is >= 0 and var i ? i
            : throw new UsageException($"--class {w}: not a class of {modelFile.Name}'s card")).ToList();

        Directory.CreateDirectory(outDir);
        var results = new ClassModelVisualiser(runner, card).Run(indices, settings,
            s => { if (s % 20 == 0 && !Console.IsErrorRedirected) Console.Error.Write($"\rstep {s}/{settings.Steps}"); });
        var tiles = new List<Mat>();
        foreach (var (result, wnid) in results.Zip(wnids))
        {
            var image = ClassModelVisualiser.ToBgr(result.Image, card);
            MapImages.Write(Path.Combine(outDir, $"{wnid}.png"), image);
            tiles.Add(image);
            Console.WriteLine($"{wnid} {card.Classes[result.ClassIndex].Name}: score {result.Score[0]:F2} -> {result.Score[^1]:F2}, objective {result.Objective[0]:F2} -> {result.Objective[^1]:F2}");
        }
        using var sheet = ContactSheet(tiles, results.Select(r => card.Classes[r.ClassIndex].Name.Split(',')[0]).ToList());
        MapImages.Write(Path.Combine(outDir, "contact_sheet.png"), sheet);
        foreach (var t in tiles) t.Dispose();
        Console.WriteLine($"{results.Count} classes, {settings.Steps} steps; images and contact_sheet.png in {outDir}");
    }

    /// <summary>The images side by side in rows of up to 4, each with its class name under it.</summary>
    private static Mat ContactSheet(IReadOnlyList<Mat> tiles, IReadOnlyList<string> names)
    {
        int side = tiles[0].Width, label = 24, columns = Math.Min(4, tiles.Count), rows = (tiles.Count + columns - 1) / columns;
        var sheet = new Mat(rows * (side + label), columns * side, MatType.CV_8UC3, Scalar.White);
        for (int i = 0; i < tiles.Count; i++)
        {
            int x = i % columns * side, y = i / columns * (side + label);
            using (var roi = new Mat(sheet, new Rect(x, y, side, side))) tiles[i].CopyTo(roi);
            Cv2.PutText(sheet, names[i].Length > 24 ? names[i][..24] : names[i], new Point(x + 4, y + side + 17), HersheyFonts.HersheySimplex, 0.5, Scalar.Black);
        }
        return sheet;
    }
}
