using System.CommandLine;
using System.Globalization;
using Pipeline.Inference;
using Pipeline.Measures;

namespace Pipeline.Cli;

/// <summary>`Pipeline measure`: deletion and insertion AUC and the pointing game of a finished run's maps (see <see cref="RunMeasures"/>).</summary>
public static class MeasureCommand
{
    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "a finished run's folder (run --save-npy; --truth as well for the pointing game)", Required = true };
        var images = new Option<string>("--images") { Description = "the DIR or LIST.txt the run was given", Required = true };
        var model = new Option<FileInfo?>("--model") { Description = "the run's gradient model, where it is no longer at the path run.json names (checked by SHA-256)" };
        var truth = new Option<FileInfo?>("--truth") { Description = "LOC_val_solution.csv for the pointing game (default: the run's own --truth)" };
        var steps = new Option<int>("--steps") { Description = "deletion and insertion steps, 2 to 4096 (each changes 1/steps of the pixels)", DefaultValueFactory = _ => 224 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads, 1 to 1024", DefaultValueFactory = _ => Environment.ProcessorCount };
        var quiet = new Option<bool>("--quiet") { Description = "no progress on stderr" };
        var command = new Command("measure", "Deletion and insertion AUC and the pointing game of a run's maps.") { run, images, model, truth, steps, device, threads, quiet };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            NativeLibraries.RequireOpenCv();
            var request = new MeasureRequest
            {
                RunDir = parse.GetValue(run)!.FullName,
                Images = parse.GetValue(images)!,
                Model = parse.GetValue(model),
                Truth = parse.GetValue(truth),
                Steps = OptionRanges.Check("--steps", parse.GetValue(steps), 2, 4096),
                Device = DeviceChoice.Parse(parse.GetValue(device)!),
                Threads = OptionRanges.Check("--threads", parse.GetValue(threads), 1, 1024),
                Quiet = OrtSessions.SilentFallback = parse.GetValue(quiet),
            };
            var s = RunMeasures.Measure(request);
            string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
            Console.WriteLine($"images                       {s.Measured}{(s.WithoutMap > 0 ? $" ({s.WithoutMap} scored without a map in npy/top1, not measured)" : "")}");
            Console.WriteLine($"deletion AUC (lower better)  {F(s.DeletionAuc)}");
            Console.WriteLine($"insertion AUC (higher better) {F(s.InsertionAuc)}");
            Console.WriteLine(s.PointingImages == 0 ? "pointing game                no ground-truth-class maps (run with --truth --save-npy)"
                : $"pointing game                {100.0 * s.PointingHits / s.PointingImages:F1}% ({s.PointingHits} of {s.PointingImages})");
        }));
        return command;
    }
}
