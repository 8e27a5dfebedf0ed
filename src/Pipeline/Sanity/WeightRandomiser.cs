using GradientGraphs.Onnx;
using MathNet.Numerics.Distributions;
using Onnx;

namespace Pipeline.Sanity;

/// <summary>
/// Re-initialises a layer's parameters as Adebayo et al. (2018) do, from a truncated normal
/// distribution (cut at two standard deviations, as TensorFlow's truncated_normal), here with each
/// tensor's own mean and standard deviation, so a randomised layer passes on signals of the trained
/// layer's size and the layers below it still see inputs in their working range. Each layer draws
/// from its own seed (the run's seed and the layer's place from the output), so the cascade and the
/// independent steps give a layer the same random weights.
/// </summary>
public static class WeightRandomiser
{
    public static void Randomise(GraphProto graph, WeightedLayer layer, int layerNumber, int seed)
    {
        var random = new Random(unchecked(seed * 1_000_003 + layerNumber));
        foreach (var name in layer.Initializers)
        {
            int index = IndexOf(graph, name);
            var tensor = graph.Initializer[index];
            graph.Initializer[index] = Tensors.FloatTensor(name, tensor.Dims.ToArray(), TruncatedNormalLike(Tensors.ToDoubles(tensor), random));
        }
    }

    /// <summary>As many values as the tensor holds, from the normal distribution of its mean and deviation cut at two deviations.</summary>
    public static float[] TruncatedNormalLike(double[] values, Random random)
    {
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        var result = new float[values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double z;
            do z = Normal.Sample(random, 0, 1); while (Math.Abs(z) > 2);
            result[i] = (float)(mean + std * z);
        }
        return result;
    }

    private static int IndexOf(GraphProto graph, string name)
    {
        for (int i = 0; i < graph.Initializer.Count; i++)
            if (graph.Initializer[i].Name == name) return i;
        throw new InvalidOperationException($"initializer '{name}' not found");
    }
}
