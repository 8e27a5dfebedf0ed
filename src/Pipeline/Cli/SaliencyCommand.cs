using System.CommandLine;
using Pipeline.Inference;
using Pipeline.Stages;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline saliency`: class saliency maps of one image's top classes, from its centre crop.
/// The stages in the order data flows: decode, crop, gradients, saliency, PNGs.
/// </summary>
public static class SaliencyCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "gradient model made by export-grad", Required = true };
        var image = new Option<FileInfo>("--image") { Description = "image file (JPEG, PNG, BMP, WebP, TIFF)", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for the map PNGs", Required = true };
        var top = new Option<int>("--top") { Description = "how many top classes get a map", DefaultValueFactory = _ => 5 };
        var labels = new Option<FileInfo?>("--labels") { Description = "class names, one per line in class-index order" };
        var shorterSide = new Option<int>("--shorter-side") { Description = "rescale the shorter side to this before the centre crop", DefaultValueFactory = _ => 256 };
        var scale = new Option<float>("--scale") { Description = "x = pixel * scale + offset", DefaultValueFactory = _ => PixelTransform.MinusOneToOne.Scale };
        var offset = new Option<float>("--offset") { Description = "x = pixel * scale + offset", DefaultValueFactory = _ => -1f };
        var bgr = new Option<bool>("--bgr") { Description = "the model takes BGR channels (default RGB)" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "auto" };
        var command = new Command("saliency", "Class saliency maps for one image's top classes.") { model, image, output, top, labels, shorterSide, scale, offset, bgr, device };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var imagePath = parse.GetValue(image)!.FullName;
            var outDir = parse.GetValue(output)!;
            var names = parse.GetValue(labels) is { } l ? File.ReadAllLines(l.FullName) : null;
            using var runner = new GradientRunner(ModelFiles.Read(parse.GetValue(model)!), DeviceChoice.Parse(parse.GetValue(device)!), Environment.ProcessorCount);
            int channels = (int)runner.ImageShape[1], height = (int)runner.ImageShape[2], width = (int)runner.ImageShape[3];
            if (height != width) throw new InputException("the model's input is not square; this command takes square centre crops");

            using var decoded = ImageDecoder.Decode(imagePath);
            using var crop = Preprocessing.CentreCrop(decoded, parse.GetValue(shorterSide), height);
            var tensor = new float[channels * height * width];
            Preprocessing.ToTensor(crop, new PixelTransform(!parse.GetValue(bgr), parse.GetValue(scale), parse.GetValue(offset)), tensor);

            var scores = runner.Scores(tensor, 1);
            var best = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(parse.GetValue(top)).Select(i => (long)i).ToArray();
            var gradients = runner.Gradients(tensor, 1, [best]);

            outDir.Create();
            var stem = Path.GetFileNameWithoutExtension(imagePath);
            int perClass = channels * height * width;
            for (int rank = 0; rank < best.Length; rank++)
            {
                var map = SaliencyMaps.FromGradient(gradients.AsSpan(rank * perClass, perClass), channels, height, width);
                MapImages.Save(outDir.FullName, $"{stem}_{rank + 1}_class{best[rank]}", crop, map, null);
                var label = names != null && best[rank] < names.Length ? names[best[rank]] : "";
                Console.WriteLine($"{rank + 1}. class {best[rank],4} score {scores[best[rank]],8:F3}  {label}");
            }
            Console.WriteLine($"maps in {outDir.FullName} ({runner.Device})");
        }));
        return command;
    }
}
