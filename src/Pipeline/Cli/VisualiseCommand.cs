using System.CommandLine;
using OpenCvSharp;
using Pipeline.ClassModels;
using Pipeline.Inference;
using Pipeline.Outputs;

namespace Pipeline.Cli;

/// <summary>`Pipeline visualise`: class model visualisation (the paper's Sect. 2, or the Fourier parametrisation with transformation robustness), one PNG per class and a contact sheet.</summary>
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
        var fourier = new FourierSettings();
        var param = Choice.Of("--param", "plain (the paper's ascent in pixels) or fourier (decorrelated Fourier coefficients, random shift, scale and rotation each step)", [("plain", "plain"), ("fourier", "fourier")], "plain");
        var steps = new Option<int>("--steps") { Description = $"gradient ascent steps, 1 to 10000 (default {defaults.Steps}; fourier {fourier.Steps})", DefaultValueFactory = _ => defaults.Steps };
        var step = new Option<double>("--step") { Description = $"step size, in (0, 100] (default {defaults.StepSize}; fourier: Adam's learning rate, default {fourier.LearningRate})", DefaultValueFactory = _ => defaults.StepSize };
        var l2 = new Option<double>("--l2") { Description = "lambda of the L2 penalty, in [0, 100] (plain only)", DefaultValueFactory = _ => defaults.L2 };
        var jitter = new Option<int>("--jitter") { Description = $"random shift of up to this many pixels each step (0: none), 0 to 64 (default {defaults.Jitter}; fourier {fourier.Shift})", DefaultValueFactory = _ => defaults.Jitter };
        var blurEvery = new Option<int>("--blur-every") { Description = "blur the image every N steps (0: never), 0 to 10000 (plain only)", DefaultValueFactory = _ => defaults.BlurEvery };
        var blurSigma = new Option<double>("--blur-sigma") { Description = "blur sigma in pixels, in (0, 10] (plain only)", DefaultValueFactory = _ => defaults.BlurSigma };
        var scaleJitter = new Option<double>("--scale-jitter") { Description = "random scaling within 1 +- this each step, in [0, 0.5] (fourier only)", DefaultValueFactory = _ => fourier.ScaleRange };
        var rotate = new Option<double>("--rotate") { Description = "random rotation of up to this many degrees each step, in [0, 180] (fourier only)", DefaultValueFactory = _ => fourier.Degrees };
        var seed = new Option<int>("--seed") { Description = "seed of the random shifts and starting image, 0 to 2147483647", DefaultValueFactory = _ => defaults.Seed };
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var command = new Command("visualise", "Class model visualisation: the image that maximises a class score, by gradient ascent.")
        {
            model, classes, output, cardFile, cardOverride, param, steps, step, l2, jitter, blurEvery, blurSigma, scaleJitter, rotate, seed, device, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            bool isFourier = parse.GetValue(param) == "fourier";
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            foreach (var o in isFourier ? new Option[] { l2, blurEvery, blurSigma } : [scaleJitter, rotate])
                if (Given(o)) throw new UsageException($"{o.Name}: not an option of --param {(isFourier ? "fourier" : "plain")}");
            var settings = new VisualiseSettings
            {
                Steps = OptionRanges.Check("--steps", parse.GetValue(steps), 1, 10_000),
                StepSize = OptionRanges.Check("--step", parse.GetValue(step), 0, 100, excludeMin: true),
                L2 = OptionRanges.Check("--l2", parse.GetValue(l2), 0, 100),
                Jitter = OptionRanges.Check("--jitter", parse.GetValue(jitter), 0, 64),
                BlurEvery = OptionRanges.Check("--blur-every", parse.GetValue(blurEvery), 0, 10_000),
                BlurSigma = OptionRanges.Check("--blur-sigma", parse.GetValue(blurSigma), 0, 10, excludeMin: true),
                Seed = OptionRanges.Check("--seed", parse.GetValue(seed), 0, int.MaxValue),
            };
            var fourierSettings = fourier with
            {
                Steps = Given(steps) ? settings.Steps : fourier.Steps,
                LearningRate = Given(step) ? settings.StepSize : fourier.LearningRate,
                Shift = Given(jitter) ? settings.Jitter : fourier.Shift,
                ScaleRange = OptionRanges.Check("--scale-jitter", parse.GetValue(scaleJitter), 0, 0.5),
                Degrees = OptionRanges.Check("--rotate", parse.GetValue(rotate), 0, 180),
                Seed = settings.Seed,
            };
            int stepCount = isFourier ? fourierSettings.Steps : settings.Steps;
            var deviceChoice = parse.GetValue(device)!;
            int threadCount = parse.GetValue(threads);
            var modelFile = parse.GetValue(model)!;
            using var runner = new GradientRunner(ModelFiles.Read(modelFile), deviceChoice, threadCount, modelFile.FullName);
            var card = CardChoice.For(runner.Info, parse.GetValue(cardFile), parse.GetValue(cardOverride));
            card.CheckFits(runner.ImageShape, runner.ScoreCount(), modelFile.Name);
            // The ascent follows whatever the model backpropagates; only the gradient rule makes it the paper's class model.
            if (runner.Info.Rule != GradientGraphs.Building.AttributionMethod.Gradient)
                Console.Error.WriteLine($"notice: {modelFile.Name} backpropagates by the {runner.Info.Rule.ToString().ToLowerInvariant()} rule, not the score's gradient, and the ascent follows that signal (export-grad --rule gradient for the paper's class models)");
            var wnids = parse.GetValue(classes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var indices = wnids.Select(w => card.Classes.FindIndex(c => c.Wnid == w) is >= 0 and var i ? i
                : throw new UsageException($"--class {w}: not a class of {modelFile.Name}'s card")).ToList();
            if (indices.Count is 0 or > 64) throw new UsageException("--class: name 1 to 64 classes");

            var outDir = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(outDir);
            Action<int> progress = s => { if (s % 20 == 0 && !Console.IsErrorRedirected) Console.Error.Write($"\rstep {s}/{stepCount}"); };
            var results = isFourier
                ? new FourierClassModels(runner, card).Run(indices, fourierSettings, progress)
                : new ClassModelVisualiser(runner, card).Run(indices, settings, progress);
            var tiles = new List<Mat>();
            foreach (var (result, wnid) in results.Zip(wnids))
            {
                var image = ClassModelVisualiser.ToBgr(result.Image, card, stretch: !isFourier);
                MapImages.Write(Path.Combine(outDir, $"{wnid}.png"), image);
                tiles.Add(image);
                Console.WriteLine($"{wnid} {card.Classes[result.ClassIndex].Name}: score {result.Score[0]:F2} -> {result.Score[^1]:F2}" + (isFourier ? "" : $", objective {result.Objective[0]:F2} -> {result.Objective[^1]:F2}"));
            }
            using var sheet = ContactSheet(tiles, results.Select(r => card.Classes[r.ClassIndex].Name.Split(',')[0]).ToList());
            MapImages.Write(Path.Combine(outDir, "contact_sheet.png"), sheet);
            foreach (var t in tiles) t.Dispose();
            Console.WriteLine($"{results.Count} classes, {stepCount} steps ({(isFourier ? "fourier" : "plain")}); images and contact_sheet.png in {outDir}");
        }));
        return command;
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
