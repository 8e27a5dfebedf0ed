using Pipeline.Inference;
using Pipeline.Localisation;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// A [Fact] that runs only on a machine with an NVIDIA GPU whose CUDA execution provider loads, and
/// is reported as skipped, with the reason, everywhere else (never as passed).
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!File.Exists("/proc/driver/nvidia/version")) Skip = "no NVIDIA GPU on this machine (/proc/driver/nvidia/version is missing)";
        else if (!CudaLoads(out var why)) Skip = $"the CUDA execution provider does not load: {why}";
    }

    internal static bool CudaLoads(out string why)
    {
        try
        {
            using var options = new Microsoft.ML.OnnxRuntime.SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            why = "";
            return true;
        }
        catch (Exception e)
        {
            why = e.Message.Split('\n')[0];
            return false;
        }
    }
}

/// <summary>The CUDA path gives the CPU's maps and boxes (float32 on both; summation order differs, so not bit for bit).</summary>
public class CudaTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>
{
    [CudaFact]
    public void Cuda_maps_match_the_cpu_maps()
    {
        var settings = new ExplainSettings(10, 5, new MassBoxLocaliser(new()), 1024, 100_000_000);
        var parrot = CommandLine.Shared("data", "photos", "parrot.jpg");
        float[][] Maps(DeviceChoice device, out string used)
        {
            using var runner = new GradientRunner(File.ReadAllBytes(model.Model), device, 2);
            used = runner.Device;
            var card = runner.Info.StoredCard!;
            using var result = new ImageExplainer(runner, card, settings).Explain(parrot);
            return result.Top.Select(r => r.Map).ToArray();
        }
        var cpu = Maps(new DeviceChoice("cpu"), out _);
        var cuda = Maps(new DeviceChoice("cuda"), out var device);
        Assert.Equal("cuda:0", device);
        for (int k = 0; k < cpu.Length; k++)
        {
            double scale = cpu[k].Max(), worst = cpu[k].Zip(cuda[k], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-3 * scale, $"class {k}: max |cuda - cpu| = {worst:g3}, {worst / scale:P3} of the largest value");
        }
    }

    [CudaFact]
    public void Bench_times_the_cuda_path_it_names()
    {
        var (code, stdout, stderr) = CommandLine.Run("bench", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"), "--device", "cuda",
            "--batch", "2", "--classes", "1,5", "--runs", "2", "--crops", "10", "--stage-classes", "5");

        Assert.True(code == 0, stderr);
        Assert.Contains("device cuda:0", stdout);
        Assert.Contains("saliency stage per image (10 crops, K=5, cuda:0", stdout);
    }
}
