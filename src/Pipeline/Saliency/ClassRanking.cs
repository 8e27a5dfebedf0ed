namespace Pipeline.Saliency;

/// <summary>Class scores averaged over the crops; the top classes as card indices (the score offset removed).</summary>
public static class ClassRanking
{
    public static (int[] Top, float[] Average) Rank(float[] scores, int crops, int classOffset, int classCount, int top)
    {
        int perCrop = scores.Length / crops;
        var average = new float[classCount];
        for (int c = 0; c < crops; c++)
        for (int k = 0; k < classCount; k++)
            average[k] += scores[c * perCrop + classOffset + k] / crops;
        var best = Enumerable.Range(0, classCount).OrderByDescending(k => average[k]).ThenBy(k => k).Take(top).ToArray();
        return (best, average);
    }

    /// <summary>
    /// Class probabilities from the crop-averaged output: its softmax, or the output itself where the
    /// model ends in Softmax (an average of probabilities is one).
    /// </summary>
    public static float[] Probabilities(float[] average, bool outputIsSoftmax)
    {
        if (outputIsSoftmax) return average;
        double max = average.Max();
        var exp = average.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return exp.Select(e => (float)(e / sum)).ToArray();
    }
}
