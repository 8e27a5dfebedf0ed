namespace Pipeline.Sanity;

/// <summary>How a randomised model's map of one image compares with the trained model's.</summary>
public readonly record struct ImageSimilarity(double SpearmanAbsolute, double SpearmanSigned, double Ssim, double Hog)
{
    public static ImageSimilarity Of(float[] trained, float[]? trainedSigned, float[] map, float[]? signed, int side) => new(
        MapSimilarity.SpearmanAbsolute(trained, map),
        trainedSigned != null && signed != null ? MapSimilarity.Spearman(trainedSigned, signed) : double.NaN,
        MapSimilarity.Ssim(trained, map, side),
        MapSimilarity.Hog(trained, map, side));
}

/// <summary>Cascade: this step and every step above it randomised; independent: this step's layers alone; trained: none (the rebuilt model, the check's own control).</summary>
public enum SanityMode { Trained, Cascade, Independent }

/// <summary>One row of the table: a model with some layers randomised, its maps, and their similarity to the trained model's per image.</summary>
public sealed record StepResult(SanityMode Mode, int Number, string Label, int LayersRandomised, float[][] Maps, IReadOnlyList<ImageSimilarity> Images, double Seconds)
{
    /// <summary>The mean over the images where the measure is defined; NaN where it is defined for none.</summary>
    public double Mean(Func<ImageSimilarity, double> measure)
    {
        var defined = Images.Select(measure).Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }

    /// <summary>Images whose rank correlation is undefined: a map that came out constant (no ranks).</summary>
    public int Undefined => Images.Count(s => double.IsNaN(s.SpearmanAbsolute));
}

/// <summary>What the check found: the images and classes explained, the trained maps, every step's row, and the verdict.</summary>
public sealed record SanityReport(string Method, string Rule, IReadOnlyList<string> ImageIds, IReadOnlyList<string> ClassNames, float[][] TrainedMaps,
    IReadOnlyList<StepResult> Steps, int Side, double Threshold, int LayerCount)
{
    /// <summary>The last cascade step: every layer randomised; null when the cascade was not run.</summary>
    public StepResult? FullCascade => Steps.LastOrDefault(s => s.Mode == SanityMode.Cascade);

    /// <summary>
    /// The verdict on the cascade's mean rank correlation of |map|: maps that explain the model fall
    /// below the threshold with every layer randomised, and already with the upper half randomised
    /// (where the class's evidence is combined); maps that stay above it until the lower layers go
    /// show the image's structure more than what the model learned (docs/sanity.md).
    /// </summary>
    public string Verdict()
    {
        var method = $"{Method} ({Rule} rule)";
        var cascade = Steps.Where(s => s.Mode == SanityMode.Cascade).ToList();
        if (cascade.Count == 0) return $"{method}: no verdict (the cascade was not run)";
        var full = cascade[^1];
        double rho = full.Mean(s => s.SpearmanAbsolute), top = cascade[0].Mean(s => s.SpearmanAbsolute);
        if (double.IsNaN(rho)) return $"{method}: no verdict (every map of the fully randomised model is constant)";
        string figures = $"rank correlation {top:F2} with the output layer randomised, {rho:F2} with all {LayerCount}";
        if (rho >= Threshold)
            return $"{method}: FAILS: maps survive randomising every layer ({figures}; threshold {Threshold:0.##}): they show the image, not the model";
        var first = cascade.First(s => s.Mean(m => m.SpearmanAbsolute) < Threshold);
        return 2 * first.LayersRandomised <= LayerCount
            ? $"{method}: passes: maps change as the model is randomised (below {Threshold:0.##} with the top {first.LayersRandomised} of {LayerCount} layers randomised; {figures})"
            : $"{method}: WEAK: maps change only once the lower layers are randomised (at or above {Threshold:0.##} until the top {first.LayersRandomised} of {LayerCount} layers are randomised; {figures}): they follow the image more than the upper layers";
    }
}
