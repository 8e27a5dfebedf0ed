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
        var model = new Option<FileInfo>("--model") { Description = "gradient model made by export-grad (its rule is the one tested: gradient, deconvnet or guided)", Required = true };
        var images = new Option<string>("--images") { Description = "folder of images, or a text file listing image paths (the first --limit are used)", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "write sanity.csv, sanity_images.csv and the figures here (default: the table on the console only)" };
        var map = new Option<string>("--map") { Description = $"map method: {string.Join(", ", MapMethods.All.Select(m => m.Name))}", DefaultValueFactory = _ => MapMethods.Default.Name };
        var limit = new Option<int>("--limit") { Description = "images to use, 1 to 64", DefaultValueFactory = _ => 8 };
        var layers = new Option<string>("--layers") { Description = "blocks (the output layer, then --blocks - 1 groups) or all (every weighted layer alone)", DefaultValueFactory = _ => "blocks" };
        var blocks = new Option<int>("--blocks") { Description = "steps with --layers blocks, 2 to 100", DefaultValueFactory = _ => 8 };
        var norms = new Option<bool>("--norms") { Description = "also randomise normalisation layers' scale and bias (each its own layer)" };
        var mode = new Option<string>("--mode") { Description = "both, cascade (from the output down) or independent (one step at a time)", DefaultValueFactory = _ => "both" };
        var seed = new Option<int>("--seed") { Description = "random weights' seed, 0 to 2147483647", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "rank correlation with every layer randomised below which the maps pass, in (0, 1)", DefaultValueFactory = _ => 0.5 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads, 1 to 1024", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cardFile = CardOptions.Card();
        var cardOverride = CardOptions.Override();
        var command = new Command("sanity", "Model randomisation test (Adebayo et al. 2018): do the maps change as the model's weights are randomised?")
        {
            model, images, output, map, limit, layers, blocks, norms, mode, seed, threshold, device, threads, cardFile, cardOverride,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var layerChoice = parse.GetValue(layers)!;
            if (layerChoice is not ("blocks" or "all")) throw new UsageException($"--layers '{layerChoice}': expected blocks or all");
            var modeChoice = parse.GetValue(mode)!;
            if (modeChoice is not ("both" or "cascade" or "independent")) throw new UsageException($"--mode '{modeChoice}': expected both, cascade or independent");
            var settings = new SanitySettings
            {
                Method = MapMethods.Parse(parse.GetValue(map)!),
                Blocks = layerChoice == "all" ? 0 : OptionRanges.Check("--blocks", parse.GetValue(blocks), 2, 100),
                WithNorms = parse.GetValue(norms),
                Cascade = modeChoice != "independent",
                Independent = modeChoice != "cascade",
                Seed = OptionRanges.Check("--seed", parse.GetValue(seed), 0, int.MaxValue),
                Threshold = OptionRanges.Check("--threshold", parse.GetValue(threshold), 0, 1, excludeMin: true, excludeMax: true),
            };
            int imageLimit = OptionRanges.Check("--limit", parse.GetValue(limit), 1, 64);
            var deviceChoice = DeviceChoice.Parse(parse.GetValue(device)!);
            int threadCount = OptionRanges.Check("--threads", parse.GetValue(threads), 1, 1024);

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
