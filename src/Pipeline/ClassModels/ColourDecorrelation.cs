namespace Pipeline.ClassModels;

/// <summary>
/// The fixed colour matrix of the Fourier parametrisation: decorrelated channels u (unit variance,
/// uncorrelated) become RGB logits z = M u with the colour correlation of natural images, so that
/// an optimiser's step in u moves along colours that occur together rather than along R, G and B
/// alone. M is the symmetric square root of the RGB covariance of the shared ILSVRC tune images,
/// divided by its largest column norm (scripts/colour_correlation.py measures it; docs/class_models.md).
/// </summary>
public static class ColourDecorrelation
{
    /// <summary>M[rgb, k], row by row.</summary>
    public static readonly double[,] Matrix =
    {
        { 0.7918, 0.4354, 0.3191 },
        { 0.4354, 0.6975, 0.4539 },
        { 0.3191, 0.4539, 0.8319 },
    };
}
