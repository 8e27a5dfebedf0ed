using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using GradientGraphs.Building;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference;

namespace Pipeline.Cli;

/// <summary>
/// `Pipeline bench`: forward-only time, forward + gradient for K classes, and (with --torch-arch)
/// PyTorch autograd on the same architecture with the same thread count, measured in one run.
/// Medians over --runs after one warm-up.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "source ONNX model (not a gradient model)", Required = true };
        var batches = new Option<string>("--batch") { Description = "batch sizes, comma-separated", DefaultValueFactory = _ => "1,8" };
        var classes = new Option<string>("--classes") { Description = "classes per image K, comma-separated", DefaultValueFactory = _ => "1,5" };
        var threads = new Option<int>("--threads") { Description = "intra-op threads for both ONNX Runtime and torch", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runs = new Option<int>("--runs") { Description = "timed runs per figure", DefaultValueFactory = _ => 10 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:ID", DefaultValueFactory = _ => "cpu" };
        var torchArch = new Option<string?>("--torch-arch") { Description = "torchvision architecture to time with torch autograd (needs python3-torch)" };
        var python = new Option<string>("--python") { Description = "python with torch and torchvision", DefaultValueFactory = _ => "/usr/bin/python3" };
        var profile = new Option<bool>("--profile") { Description = "also print where the gradient model spends its time, by op type (ONNX Runtime profiling)" };
        var command = new Command("bench", "Time the forward pass, the gradient pass, and torch autograd.") { model, batches, classes, threads, runs, device, torchArch, python, profile };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var source = ModelFiles.Read(parse.GetValue(model)!);
            var ks = ParseList(parse.GetValue(classes)!);
            int threadCount = parse.GetValue(threads), runCount = parse.GetValue(runs);
            var choice = DeviceChoice.Parse(parse.GetValue(device)!);
            using var forward = OrtSessions.Create(GradientGraphBuilder.BuildForwardOnly(source).ToByteArray(), choice, threadCount, out var used);
            var gradientModel = GradientGraphBuilder.Build(source, new BuildOptions()).ToByteArray();
            using var gradient = OrtSessions.Create(gradientModel, choice, threadCount, out _);
            var imageName = forward.InputMetadata.Keys.Single();
            var imageShape = forward.InputMetadata[imageName].Dimensions;
            Console.WriteLine($"model {parse.GetValue(model)!.Name}, device {used}, {threadCount} threads, median of {runCount} runs (seconds)");
            Console.WriteLine($"{"batch",5} {"forward",9} {string.Join(" ", ks.Select(k => $"{"grad K=" + k,9} {"ratio",6}"))}{(parse.GetValue(torchArch) is null ? "" : $" {"torch fwd",9} {string.Join(" ", ks.Select(k => $"{"torch K=" + k,10} {"speedup",7}"))}")}");
            foreach (var batch in ParseList(parse.GetValue(batches)!))
            {
                var image = new float[batch * imageShape.Skip(1).Aggregate(1, (a, b) => a * b)];
                for (int i = 0; i < image.Length; i++) image[i] = (float)Math.Sin(i * 0.37);
                long[] shape = [batch, .. imageShape.Skip(1).Select(d => (long)d)];
                double forwardTime = Median(runCount, () => Run(forward, imageName, image, shape, null, null));
                var gradTimes = ks.Select(k => Median(runCount, () => Run(gradient, imageName, image, shape, batch, k))).ToArray();
                var line = $"{batch,5} {forwardTime,9:F4} {string.Join(" ", gradTimes.Select(t => $"{t,9:F4} {t / forwardTime,6:F2}"))}";
                if (parse.GetValue(torchArch) is { } arch)
                {
                    var torch = TorchBaseline(parse.GetValue(python)!, arch, batch, ks, threadCount, runCount, (int)shape[2]);
                    line += $" {torch.GetProperty("forward").GetDouble(),9:F4} " + string.Join(" ", ks.Select((k, i) =>
                    {
                        double t = torch.GetProperty($"gradient_k{k}").GetDouble();
                        return $"{t,10:F4} {t / gradTimes[i],7:F2}";
                    }));
                }
                Console.WriteLine(line);
            }
            Console.WriteLine("ratio: gradient time / forward time; speedup: torch autograd time / our gradient time");
            if (parse.GetValue(profile)) OpProfile.Print(gradientModel, imageName, imageShape, threadCount, ks[0]);
        }));
        return command;
    }

    private static int[] ParseList(string text) => text.Split(',').Select(int.Parse).ToArray();

    private static void Run(InferenceSession session, string imageName, float[] image, long[] shape, int? batch, int? classes)
    {
        var inputs = new Dictionary<string, OrtValue> { [imageName] = OrtValue.CreateTensorValueFromMemory(image, shape) };
        if (batch is { } n && classes is { } k)
            inputs[GradientModelContract.ClassIndexInput] = OrtValue.CreateTensorValueFromMemory(
                Enumerable.Range(0, n * k).Select(i => (long)(i * 37 % 1000)).ToArray(), [n, k]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, session.OutputNames);
        foreach (var v in inputs.Values) v.Dispose();
    }

    private static double Median(int runs, Action action)
    {
        action();
        var times = Enumerable.Range(0, runs).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        }).Order().ToArray();
        return times[times.Length / 2];
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
