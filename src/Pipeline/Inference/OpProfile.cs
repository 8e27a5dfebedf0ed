using System.Text.Json;
using GradientGraphs.Building;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>Time per op type of a gradient model, from ONNX Runtime's profiler (batch 1, K classes).</summary>
public static class OpProfile
{
    public static void Print(byte[] gradientModel, string imageName, int[] imageShape, int threads, int classes)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"pipeline-profile-{Environment.ProcessId}");
        OrtSessions.QuietEnvironment();
        // run's own session options, so the profile is of the sessions run makes.
        using var options = OrtSessions.Options(threads);
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = prefix;
        using var session = new InferenceSession(gradientModel, options);
        long[] shape = [1, .. imageShape.Skip(1).Select(d => (long)d)];
        var image = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int run = 0; run < 5; run++)
        {
            using var x = OrtValue.CreateTensorValueFromMemory(image, shape);
            using var c = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, classes).Select(i => (long)i).ToArray(), [1, classes]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { [imageName] = x, [GradientModelContract.ClassIndexInput] = c }, session.OutputNames);
        }
        var file = session.EndProfiling();
        var byOp = new Dictionary<string, (double Micros, int Count)>();
        foreach (var e in JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time")) continue;
            var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            var backward = e.GetProperty("name").GetString()!.StartsWith("grad/") ? " (backward)" : "";
            var key = op + backward;
            var (micros, count) = byOp.GetValueOrDefault(key);
            byOp[key] = (micros + e.GetProperty("dur").GetDouble(), count + 1);
        }
        File.Delete(file);
        double total = byOp.Values.Sum(v => v.Micros);
        Console.WriteLine($"time by op type over 5 runs, batch 1, K={classes}:");
        foreach (var (op, (micros, count)) in byOp.OrderByDescending(p => p.Value.Micros).Take(15))
            Console.WriteLine($"  {op,-32} {micros / 5000,8:F2} ms/run {100 * micros / total,5:F1}%  ({count / 5} nodes)");
    }
}
