using MathNet.Numerics.Integration;

namespace Pipeline.Saliency;

/// <summary>
/// How Integrated Gradients averages the gradient along its path from the baseline (0) to the crop (1)
/// (`run --ig-rule`): the midpoint rule (Sundararajan et al.'s Riemann sum, equal weights), or
/// Gauss-Legendre quadrature (unequal points and weights, exact for polynomials of degree 2n - 1, so
/// the same number of gradient passes follows a smooth path integral much more closely).
/// </summary>
public enum PathRule { Midpoint, GaussLegendre }

public static class PathRules
{
    public static string Word(this PathRule rule) => rule == PathRule.GaussLegendre ? "gauss-legendre" : "midpoint";

    /// <summary>The <paramref name="steps"/> points on [0, 1] and their weights, which sum to 1.</summary>
    public static (double Alpha, double Weight)[] Points(this PathRule rule, int steps)
    {
        if (rule == PathRule.Midpoint)
            return Enumerable.Range(0, steps).Select(i => ((i + 0.5) / steps, 1.0 / steps)).ToArray();
        var gauss = new GaussLegendreRule(0, 1, steps);
        return gauss.Abscissas.Zip(gauss.Weights).OrderBy(p => p.First).ToArray();
    }
}
