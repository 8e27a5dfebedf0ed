using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>Where a model runs: ONNX Runtime's CUDA provider when asked for or available, else the CPU.</summary>
public sealed record DeviceChoice(string Kind, int CudaDevice = 0)
{
    public static DeviceChoice Parse(string text) => text switch
    {
        "auto" or "cpu" or "cuda" => new DeviceChoice(text),
        _ when text.StartsWith("cuda:") && int.TryParse(text[5..], out var id) => new DeviceChoice("cuda", id),
        _ => throw new UsageException($"--device '{text}': expected auto, cpu, cuda or cuda:ID"),
    };
}

public static class OrtSessions
{
    private static bool _noticeGiven;

    /// <summary>Set by --quiet: the CPU fallback is then not announced.</summary>
    public static bool SilentFallback { get; set; }
    private static readonly Lazy<OrtEnv> Quiet = new(CreateEnvironment);

    /// <summary>
    /// ONNX Runtime's environment without telemetry; every session is made after this. A run writes
    /// nothing outside its OUTDIR: with telemetry on, the runtime keeps a device id and an event store
    /// under the user's home folder.
    /// </summary>
    public static OrtEnv QuietEnvironment() => Quiet.Value;

    private static OrtEnv CreateEnvironment()
    {
        // The store is opened while the environment is created, before DisableTelemetryEvents can be
        // called; only this variable, read by the native library from the process environment, stops it.
        // .NET keeps its own copy of the environment on Unix, so the C library's is set directly.
        if (!OperatingSystem.IsWindows()) SetNativeVariable("ORT_DISABLE_TELEMETRY", "1", 1);
        var environment = OrtEnv.Instance();
        environment.DisableTelemetryEvents();
        return environment;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeVariable(string name, string value, int overwrite);

    /// <summary>
    /// A session on the chosen device. "auto" falls back to the CPU with a one-line notice (none under
    /// --quiet; the provider's reason with PIPELINE_DEBUG=1) when the CUDA provider cannot load (no GPU,
    /// no CUDA libraries); "cuda" fails with one line instead.
    /// </summary>
    public static InferenceSession Create(byte[] model, DeviceChoice device, int threads, out string usedDevice)
    {
        QuietEnvironment();
        var options = Options(threads);
        if (device.Kind is "cuda" or "auto")
        {
            // ONNX Runtime logs a multi-line error when the CUDA libraries are missing; we say it in one line.
            var environmentLevel = OrtEnv.Instance().EnvLogLevel;
            OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                options.AppendExecutionProvider_CUDA(device.CudaDevice);
                usedDevice = $"cuda:{device.CudaDevice}";
                OrtEnv.Instance().EnvLogLevel = environmentLevel;
                return new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException e)
            {
                OrtEnv.Instance().EnvLogLevel = environmentLevel;
                if (device.Kind == "cuda") throw new InputException($"CUDA execution provider unavailable: {Messages.FirstLine(e.Message)}");
                // Most machines have no GPU: the fallback is said calmly, its cause only when debugging.
                if (!_noticeGiven && !SilentFallback)
                    Console.Error.WriteLine(Environment.GetEnvironmentVariable("PIPELINE_DEBUG") == "1"
                        ? $"notice: no CUDA here ({Messages.FirstLine(e.Message)}); running on the CPU"
                        : "notice: no CUDA here; running on the CPU");
                _noticeGiven = true;
                options.Dispose();
                options = Options(threads);
            }
        }
        usedDevice = "cpu";
        return new InferenceSession(model, options);
    }

    /// <summary>Full graph optimisation; no memory pattern, with which a run's peak memory grew image after image at no gain in speed (docs/speed.md).</summary>
    private static SessionOptions Options(int threads) =>
        new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, EnableMemoryPattern = false };
}
