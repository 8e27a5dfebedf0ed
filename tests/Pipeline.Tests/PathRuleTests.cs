using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// Integrated Gradients' path rules against integrals worked by hand: the integral of t^d over [0, 1] is
/// 1 / (d + 1). Gauss-Legendre with n points is exact up to degree 2n - 1; the midpoint rule up to degree 1,
/// with the known error -(1 / 24 n^2) f'' for t^2.
/// </summary>
public class PathRuleTests
{
    private static double Integral(PathRule rule, int steps, Func<double, double> f) => rule.Points(steps).Sum(p => p.Weight * f(p.Alpha));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(32)]
    [InlineData(64)]
    public void Gauss_legendre_integrates_polynomials_to_degree_2n_minus_1_exactly(int steps)
    {
        var points = PathRule.GaussLegendre.Points(steps);
        Assert.Equal(steps, points.Length);
        Assert.All(points, p => Assert.InRange(p.Alpha, 0, 1));
        Assert.Equal(points.OrderBy(p => p.Alpha), points); // in order along the path
        for (int degree = 0; degree <= Math.Min(2 * steps - 1, 20); degree++)
            Assert.Equal(1.0 / (degree + 1), Integral(PathRule.GaussLegendre, steps, t => Math.Pow(t, degree)), 12);
        // One degree more is not exact: the rule has exactly the order it claims.
        if (steps <= 5) Assert.NotEqual(1.0 / (2 * steps + 1), Integral(PathRule.GaussLegendre, steps, t => Math.Pow(t, 2 * steps)), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(32)]
    public void The_midpoint_rule_takes_the_centres_of_equal_steps(int steps)
    {
        var points = PathRule.Midpoint.Points(steps);
        Assert.Equal(Enumerable.Range(0, steps).Select(i => ((i + 0.5) / steps, 1.0 / steps)), points);
        Assert.Equal(0.5, Integral(PathRule.Midpoint, steps, t => t), 12);
        Assert.Equal(1.0 / 3 - 1.0 / (12.0 * steps * steps), Integral(PathRule.Midpoint, steps, t => t * t), 12);
    }

    /// <summary>
    /// Every point and weight against NumPy's Gauss-Legendre rule moved from [-1, 1] to [0, 1], at orders
    /// MathNet keeps in tables and at orders it computes, up to the largest --ig-steps: exactness for low
    /// degrees alone would not notice wrong nodes at a high order. The weights' tolerance is below a float
    /// gradient's precision: at high orders that are not in MathNet's tables both its weights and NumPy's
    /// lose digits near the ends (against mpmath's Newton-polished roots).
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(33)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(IntegratedGradientsMethod.MostSteps)]
    public void Gauss_legendre_points_and_weights_are_numpys_moved_to_the_unit_interval(int steps)
    {
        var numpy = Python.Run("import sys, numpy as np\nx, w = np.polynomial.legendre.leggauss(int(sys.argv[1]))\n"
            + "print(' '.join(repr(float(v)) for v in np.concatenate([(x + 1) / 2, w / 2])))", $"{steps}")
            .Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var points = PathRule.GaussLegendre.Points(steps);
        for (int i = 0; i < steps; i++)
        {
            Assert.Equal(numpy[i], points[i].Alpha, 1e-12);
            Assert.True(Math.Abs(numpy[steps + i] - points[i].Weight) <= 1e-6 * numpy[steps + i], $"weight {i}: {points[i].Weight} against {numpy[steps + i]}");
        }
        Assert.Equal(1.0, points.Sum(p => p.Weight), 9);
    }

    [Fact]
    public void One_point_of_either_rule_is_the_paths_middle()
    {
        Assert.Equal(PathRule.Midpoint.Points(1), PathRule.GaussLegendre.Points(1));
    }
}
