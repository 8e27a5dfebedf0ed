using System.CommandLine;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Inference;
using Pipeline.Outputs;
using Pipeline.Sanity;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>`Pipeline sanity`: the model randomisation test of Adebayo et al. (2018) for a map method on a gradient model.</summary>
public static class SanityCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("gradient model made by export-grad (its rule is the one tested: gradient, deconvnet or guided)");
        var images = new Option<string>("--images") { Description = "folder of images, or a text file listing image paths (the first --limit are used)", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "write sanity.csv, sanity_images.csv and the figures here (default: the table on the console only)" };
        var maps = new MapOptions("the map method checked, with its settings below");
        var limit = Number.Of("--limit", "images to use", 1, 64, 8);
        var layers = Choice.Of("--layers", "blocks (the output layer, then --blocks - 1 groups) or all (every weighted layer alone)", [("blocks", "blocks"), ("all", "all")], "blocks");
        var blocks = Number.Of("--blocks", "steps with --layers blocks", 2, 100, 8);
        var norms = new Option<bool>("--norms") { Description = "also randomise normalisation layers' scale and bias (each its own layer)" };
        var mode = Choice.Of("--mode", "both, cascade (from the output down) or independent (one step at a time)", [("both", "both"), ("cascade", "cascade"), ("independent", "independent")], "both");
        var seed = Number.Of("--seed", "random weights' seed", 0, int.MaxValue, 0);
        var threshold = Number.Of("--threshold", "rank correlation with every layer randomised below which the maps pass", 0.0, 1.0, 0.5, excludeMin: true, excludeMax: true);
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var cardFile = SharedOptions.Card();
        var cardOverride = SharedOptions.CardOverride();
        var command = new Command("sanity", "Model randomisation test (Adebayo et al. 2018): do the maps change as the model's weights are randomised?")
        {
            model, images, output, limit, layers, blocks, norms, mode, seed, threshold, device, threads, cardFile, cardOverride,
        };
        foreach (var option in maps.All) command.Options.Add(option);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var layerChoice = parse.GetValue(layers)!;
            var modeChoice = parse.GetValue(mode)!;
            var settings = new SanitySettings
            {
                Method = maps.Read(parse),
                Blocks = layerChoice == "all" ? 0 : parse.GetValue(blocks),
                WithNorms = parse.GetValue(norms),
                Cascade = modeChoice != "independent",
                Independent = modeChoice != "cascade",
                Seed = parse.GetValue(seed),
                Threshold = parse.GetValue(threshold),
            };
            int imageLimit = parse.GetValue(limit);
            var deviceChoice = parse.GetValue(device)!;
            int threadCount = parse.GetValue(threads);

            var modelFile = parse.GetValue(model)!;
            var bytes = ModelFiles.Read(modelFile);
            ModelCard card;
            using (var probe = new GradientRunner(bytes, new DeviceChoice("cpu"), 1, modelFile.FullName))
            {
                card = CardChoice.For(probe.Info, parse.GetValue(cardFile), parse.GetValue(cardOverride));
                card.CheckFits(probe.ImageShape, probe.ScoreCount(), modelFile.Name);
            }
            var list = ImageList.From(parse.GetValue(images)!);
            var loaded = SanityImages.Load(list, card, imageLimit, 100_000_000, line => Console.Error.WriteLine($"warning: {line}"));
            try
            {
                if (loaded.Count == 0) throw new InputException($"{parse.GetValue(images)}: none of the images could be read");
                var check = new SanityCheck(settings, deviceChoice, threadCount, line => Console.Error.WriteLine(line));
                var report = check.Run(bytes, modelFile.Name, card, loaded);

                Console.Write(SanityTable.Console(report));
                Console.WriteLine(report.Verdict());
                if (parse.GetValue(output) is { } outDir)
                {
                    Directory.CreateDirectory(outDir.FullName);
                    File.WriteAllText(Path.Combine(outDir.FullName, "sanity.csv"), SanityTable.Csv(report));
                    File.WriteAllText(Path.Combine(outDir.FullName, "sanity_images.csv"), SanityTable.ImagesCsv(report));
                    foreach (var m in new[] { SanityMode.Cascade, SanityMode.Independent }.Where(m => report.Steps.Any(s => s.Mode == m)))
                    {
                        using var figure = SanityFigure.Draw(report, m, loaded);
                        MapImages.Write(Path.Combine(outDir.FullName, $"sanity_{SanityCheck.Name(m)}.png"), figure);
                    }
                    Console.WriteLine($"{loaded.Count} images, {report.LayerCount} weighted layers; sanity.csv, sanity_images.csv and the figures in {outDir.FullName}");
                }
            }
            finally { foreach (var image in loaded) image.Dispose(); }
        }));
        return command;
    }
}
