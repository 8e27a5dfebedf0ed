namespace Pipeline.Saliency;

/// <summary>Stage 4: the class saliency map, M[i, j] = max over channels of |dS_c / dI[c, i, j]| (Simonyan, Vedaldi &amp; Zisserman 2014, Sect. 3.1).</summary>
public static class SaliencyMaps
{
    public static float[] FromGradient(ReadOnlySpan<float> gradient, int channels, int height, int width)
    {
        int plane = height * width;
        var map = new float[plane];
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < plane; i++)
            map[i] = Math.Max(map[i], Math.Abs(gradient[c * plane + i]));
        return map;
    }
}
