using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>
/// One session run through ONNX Runtime's I/O binding, with outputs written straight into arrays
/// the caller owns: no copy out of ONNX Runtime's memory on the CPU, and on CUDA each input
/// crosses to the device once and each output comes back once; the forward and backward of a
/// gradient model run on the device with nothing in between.
/// </summary>
public static class BoundRun
{
    public static void Run(InferenceSession session, IReadOnlyDictionary<string, OrtValue> inputs, IReadOnlyDictionary<string, OrtValue> outputs)
    {
        using var binding = session.CreateIoBinding();
        foreach (var (name, value) in inputs) binding.BindInput(name, value);
        foreach (var (name, value) in outputs) binding.BindOutput(name, value);
        binding.SynchronizeBoundInputs();
        using var runOptions = new RunOptions();
        session.RunWithBinding(runOptions, binding);
        binding.SynchronizeBoundOutputs();
    }
}
