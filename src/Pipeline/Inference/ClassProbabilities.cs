namespace Pipeline.Inference;

/// <summary>
/// The class probabilities of many images through the gradient model's forward part alone, in
/// batches (a batch's activations, not the whole set's, are held at once): the softmax of each
/// image's score output, or the output itself where the model ends in Softmax. What the
/// forward-only map methods and the deletion and insertion measures read.
/// </summary>
public static class ClassProbabilities
{
    /// <summary>Images per forward pass: large enough to keep the session busy, small enough that the activations stay a few hundred MB.</summary>
    public const int Batch = 32;

    /// <summary>Probabilities [count][scores] of `count` images made by `fill` (image i into its [C, H, W] span), made a batch at a time.</summary>
    public static float[][] Of(GradientRunner runner, int count, Action<int, Span<float>> fill)
    {
        int size = (int)runner.ImageShape[1..].Aggregate(1L, (a, b) => a * b);
        var result = new float[count][];
        var images = new float[Math.Min(Batch, count) * size];
        for (int first = 0; first < count; first += Batch)
        {
            int n = Math.Min(Batch, count - first);
            for (int i = 0; i < n; i++) fill(first + i, images.AsSpan(i * size, size));
            var scores = runner.Scores(n * size == images.Length ? images : images[..(n * size)], n);
            int perImage = scores.Length / n;
            for (int i = 0; i < n; i++) result[first + i] = FromScores(scores.AsSpan(i * perImage, perImage), runner.OutputIsSoftmax);
        }
        return result;
    }

    /// <summary>One image's probabilities from its score output.</summary>
    public static float[] FromScores(ReadOnlySpan<float> scores, bool outputIsSoftmax)
    {
        if (outputIsSoftmax) return scores.ToArray();
        float max = float.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        var exp = new double[scores.Length];
        double sum = 0;
        for (int i = 0; i < scores.Length; i++) sum += exp[i] = Math.Exp(scores[i] - max);
        var probabilities = new float[scores.Length];
        for (int i = 0; i < scores.Length; i++) probabilities[i] = (float)(exp[i] / sum);
        return probabilities;
    }
}
