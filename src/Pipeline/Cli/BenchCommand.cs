using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using GradientGraphs.Building;
using Pipeline.Inference;
using Pipeline.Runs;
using Pipeline.Saliency;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline bench`: forward-only time, forward + gradient for K classes, and (with --torch-arch)
/// PyTorch autograd on the same architecture with the same thread count, measured in one run; with
/// --methods, each map method's stage on the saliency-stage figure's crops (<see cref="MethodTimings"/>).
/// Medians over --runs after one warm-up.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("source ONNX model (not a gradient model)");
        var batches = new Option<string>("--batch") { Description = "batch sizes, comma-separated", DefaultValueFactory = _ => "1,8" };
        var classes = new Option<string>("--classes") { Description = "classes per image K, comma-separated", DefaultValueFactory = _ => "1,5" };
        var threads = SharedOptions.Threads("intra-op threads for both ONNX Runtime and torch");
        var runs = Number.Of("--runs", "timed runs per figure", 1, 100_000, 10);
        var device = SharedOptions.Device();
        var torchArch = new Option<string?>("--torch-arch") { Description = "torchvision architecture to time with torch autograd (needs python3-torch)" };
        var python = new Option<string>("--python") { Description = "python with torch and torchvision", DefaultValueFactory = _ => "/usr/bin/python3" };
        var clock = Choice.Of("--clock", "wall (elapsed seconds) or cpu (the process's CPU seconds: steadier on a busy machine, use with --threads 1)", [("wall", "wall"), ("cpu", "cpu")], "wall");
        var crops = Number.Of("--crops", "crops per image for the saliency-stage figure (0: none)", 0, 10, 10);
        var stageClasses = Number.Of("--stage-classes", "classes per image for the saliency-stage figure", 1, OptionRanges.MaxFoldedBatch, 5);
        var stageOnly = new Option<bool>("--stage-only") { Description = "print only the saliency-stage figure (and the process's peak memory)" };
        var parallelImages = Number.Of("--parallel-images", $"saliency-stage figure: images computed at once, sharing the threads, as run does (run's default is {RunCommand.DefaultParallelImages})", 1, 64, 1);
        var profile = new Option<bool>("--profile") { Description = "also print where the gradient model spends its time, by op type (ONNX Runtime profiling)" };
        var methods = Choice.ListOf("--methods", "also time these map methods (run --map's words, comma-separated, or all) at their default settings on the saliency-stage crops",
            MapMethods.All.Select(m => (m.Name, m)), "all");
        var command = new Command("bench", "Time the forward pass, the gradient pass, and torch autograd.") { model, batches, classes, threads, runs, device, torchArch, python, profile, clock, crops, stageClasses, stageOnly, parallelImages, methods };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var request = new BenchRequest(parse.GetValue(model)!,
                ParseList("--batch", parse.GetValue(batches)!, OptionRanges.MaxFoldedBatch), ParseList("--classes", parse.GetValue(classes)!, OptionRanges.MaxFoldedBatch),
                parse.GetValue(threads), parse.GetValue(runs), parse.GetValue(device)!, parse.GetValue(torchArch), parse.GetValue(python)!, parse.GetValue(profile),
                new BenchClock(parse.GetValue(clock) == "cpu"), parse.GetValue(crops), parse.GetValue(stageClasses), parse.GetValue(stageOnly), parse.GetValue(parallelImages),
                parse.GetValue(methods)!);
            if (request.Methods.Length > 0 && request.Crops == 0) throw new UsageException("--methods: the methods are timed on the saliency-stage crops; --crops 0 leaves none");
            OptionRanges.CheckFoldedBatch("--batch x --classes", request.StageOnly ? 0 : request.Batches.Max() * request.Classes.Max());
            OptionRanges.CheckFoldedBatch("--crops x --stage-classes x --parallel-images", request.Crops * request.StageClasses * request.ParallelImages);
            Execute(request);
        }));
        return command;
    }

    /// <summary>What bench was asked to time, every option checked.</summary>
    public sealed record BenchRequest(FileInfo Model, int[] Batches, int[] Classes, int Threads, int Runs, DeviceChoice Device, string? TorchArch, string Python,
        bool Profile, BenchClock Clock, int Crops, int StageClasses, bool StageOnly, int ParallelImages, MapMethod[] Methods);

    public static void Execute(BenchRequest request)
    {
        var (threadCount, runCount, choice, timer, parallel) = (request.Threads, request.Runs, request.Device, request.Clock, request.ParallelImages);
        var source = ModelFiles.Read(request.Model);
        // bench builds the gradient model itself (with Grad-CAM outputs when a method needs them), from the source model.
        if (Onnx.ModelProto.Parser.ParseFrom(source).Graph.Output.Any(o => o.Name == GradientModelContract.InputGradOutput))
            throw new InputException($"{request.Model.FullName}: a gradient model (export-grad's output); bench takes the source model it was exported from");
        var gradientModel = GradientGraphBuilder.Build(source, new BuildOptions()).ToByteArray();
        // Built before anything is timed, so that a model without a Grad-CAM layer is refused at once.
        var camModel = request.Methods.Any(m => m.NeedsCam) ? CamModel(source, request.Model.Name, request.Methods) : null;
        // run's own sessions: the forward part for the scores, the gradient model through I/O binding.
        using var runner = new GradientRunner(gradientModel, choice, threadCount);
        int scoreCount = runner.ScoreCount();
        if (!request.StageOnly)
            Table(runner, scoreCount, request.Batches, request.Classes, threadCount, runCount, timer, request.Model.Name, request.TorchArch, request.Python);
        if (request.Crops > 0)
        {
            // Images at once share the threads out, as run does: runners of threads / P each, called from P threads.
            int threadsEach = OrderedWork.ThreadsEach(threadCount, parallel);
            using var first = parallel > 1 ? new GradientRunner(gradientModel, choice, threadsEach) : null;
            using var pool = new RunnerPool<GradientRunner>(first ?? runner, threadsEach, () => new GradientRunner(gradientModel, choice, threadsEach));
            var (image, classIndex) = (TestPattern(request.Crops, runner), ClassIndex(request.Crops, request.StageClasses, scoreCount));
            double forwardTime = SaliencyStage(runner, pool, parallel, threadCount, runCount, image, classIndex, timer);
            if (request.Methods.Length > 0)
            {
                // The extra outputs would cost every pass of the other methods, so the Grad-CAM model serves only the methods that need it.
                using var camRunner = camModel == null ? null : new GradientRunner(camModel, choice, threadCount);
                MethodTimings.Print(runner, camRunner, request.Methods, image, request.Crops, classIndex, forwardTime, threadCount, runCount, timer);
            }
        }
        if (request.Profile)
            OpProfile.Print(gradientModel, runner.ImageInput, runner.ImageShape.Select(d => (int)d).ToArray(), threadCount, request.Classes[0]);
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"peak memory of this process: {self.PeakWorkingSet64 / 1e6:F0} MB");
    }

    /// <summary>
    /// The gradient model with its Grad-CAM outputs (export-grad --cam), for the methods that read them;
    /// a model with no layer to take them from is refused in one line naming those methods.
    /// </summary>
    private static byte[] CamModel(byte[] source, string modelName, IEnumerable<MapMethod> methods)
    {
        try { return GradientGraphBuilder.Build(source, new BuildOptions { ClassActivation = true }).ToByteArray(); }
        catch (GraphException e)
        {
            var needing = methods.Where(m => m.NeedsCam).Select(m => m.Name).ToList();
            throw new InputException($"{modelName}: --methods {string.Join(",", needing)} need{(needing.Count == 1 ? "s" : "")} the Grad-CAM output, "
                + $"which this model cannot give ({Messages.FirstLine(e.Message)})");
        }
    }

    /// <summary>Forward and forward + gradient for each batch size and K, with torch autograd beside them when asked.</summary>
    private static void Table(GradientRunner runner, int scoreCount, int[] batches, int[] ks, int threadCount, int runCount,
        BenchClock timer, string modelName, string? torchArch, string python)
    {
        Console.WriteLine($"model {modelName}, device {runner.Device}, {threadCount} threads, median of {runCount} runs ({timer.Unit})");
        Console.WriteLine($"{"batch",5} {"forward",9} {string.Join(" ", ks.Select(k => $"{"grad K=" + k,9} {"ratio",6}"))}{(torchArch is null ? "" : $" {"torch fwd",9} {string.Join(" ", ks.Select(k => $"{"torch K=" + k,10} {"speedup",7}"))}")}");
        foreach (var batch in batches)
        {
            var image = TestPattern(batch, runner);
            double forwardTime = timer.Median(runCount, () => runner.Scores(image, batch));
            var gradTimes = ks.Select(k => timer.Median(runCount, () => runner.Gradients(image, batch, ClassIndex(batch, k, scoreCount)))).ToArray();
            var line = $"{batch,5} {forwardTime,9:F4} {string.Join(" ", gradTimes.Select(t => $"{t,9:F4} {t / forwardTime,6:F2}"))}";
            if (torchArch is { } arch)
            {
                var torch = TorchBaseline(python, arch, batch, ks, threadCount, runCount, (int)runner.ImageShape[2]);
                line += $" {torch.GetProperty("forward").GetDouble(),9:F4} " + string.Join(" ", ks.Select((k, i) =>
                {
                    double t = torch.GetProperty($"gradientK{k}").GetDouble();
                    return $"{t,10:F4} {t / gradTimes[i],7:F2}";
                }));
            }
            Console.WriteLine(line);
        }
        Console.WriteLine("ratio: gradient time / forward time; speedup: torch autograd time / our gradient time");
    }

    /// <summary>
    /// run's saliency stage for one image, as run makes it: a forward pass of the crops to rank the
    /// classes, then the gradient model for K classes; in forward passes of the crops at all the
    /// threads (the unit of the cost: 1 + 1 + K x backward/forward at the least). With P images at
    /// once, P stages run together on `stageRunner` (threads / P each) through run's own
    /// <see cref="OrderedWork"/>, and the time is divided by P. Returns the time of one forward pass of the crops.
    /// </summary>
    private static double SaliencyStage(GradientRunner runner, RunnerPool<GradientRunner> stageRunners, int parallel, int threads, int runs, float[] image, long[][] classIndex, BenchClock timer)
    {
        var (crops, classes) = (classIndex.Length, classIndex[0].Length);
        double forwardTime = timer.Median(runs, () => runner.Scores(image, crops));
        bool OneImage() => stageRunners.Use(stageRunner =>
        {
            stageRunner.Scores(image, crops);
            stageRunner.Gradients(image, crops, classIndex);
            return true;
        });
        var images = Enumerable.Range(0, parallel).ToList();
        double stage = timer.Median(runs, () => OrderedWork.Ahead(images, parallel, _ => OneImage()).Count()) / parallel;
        Console.WriteLine($"saliency stage per image ({crops} crops, K={classes}, {runner.Device}, {threads} threads, {parallel} image{(parallel == 1 ? "" : "s")} at once, {timer.Unit}): " +
            $"{stage:F4} = {stage / forwardTime:F1} forward passes of the {crops} crops ({forwardTime:F4} each)");
        return forwardTime;
    }

    /// <summary>A fixed, non-constant input for count images of the model's input shape.</summary>
    private static float[] TestPattern(int count, GradientRunner runner)
    {
        var image = new float[count * runner.ImageShape[1..].Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < image.Length; i++) image[i] = (float)Math.Sin(i * 0.37);
        return image;
    }

    /// <summary>K score indices for each of count images, spread over the model's scores (different ones where it has enough).</summary>
    private static long[][] ClassIndex(int count, int classes, int scoreCount) =>
        Enumerable.Range(0, count).Select(n => Enumerable.Range(0, classes).Select(k => (long)((n * classes + k) * 37 % scoreCount)).ToArray()).ToArray();

    private static int[] ParseList(string option, string text, int max)
    {
        var values = text.Split(',').Select(part => int.TryParse(part.Trim(), out var v) ? v : -1).ToArray();
        if (values.Any(v => v < 1 || v > max)) throw new UsageException($"{option} '{text}': expected comma-separated whole numbers from 1 to {max}");
        return values;
    }

    private static JsonElement TorchBaseline(string python, string arch, int batch, int[] ks, int threads, int runs, int size)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "bench_torch.py");
        var start = new ProcessStartInfo(python, ["-W", "ignore", script, "--arch", arch, "--batch", batch.ToString(),
            "--classes", string.Join(",", ks), "--threads", threads.ToString(), "--runs", runs.ToString(), "--size", size.ToString()])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InputException($"{python}: cannot start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InputException($"{script} failed: {stderr.Result.Trim().Split('\n').Last()}");
        return JsonDocument.Parse(stdout).RootElement;
    }
}
