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
}
