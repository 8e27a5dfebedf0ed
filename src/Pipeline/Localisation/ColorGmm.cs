using MathNet.Numerics.LinearAlgebra;

namespace Pipeline.Localisation;

/// <summary>
/// A Gaussian mixture over BGR colours with full covariances, fitted by EM. Deterministic: the
/// components start from equal-size groups of the samples sorted by brightness, and samples beyond
/// <see cref="MaxSamples"/> are thinned with a fixed stride.
/// </summary>
public sealed class ColorGmm
{
    public const int MaxSamples = 4000;
    private const double Regularisation = 1.0; // added to covariance diagonals, in squared intensity levels

    private readonly double[] _logWeights;
    private readonly double[][] _means;
    private readonly double[][] _precisions; // 3x3 row-major
    private readonly double[] _logNormalisers;

    private ColorGmm(double[] logWeights, double[][] means, double[][] precisions, double[] logNormalisers)
    {
        _logWeights = logWeights;
        _means = means;
        _precisions = precisions;
        _logNormalisers = logNormalisers;
    }

    public int Components => _means.Length;

    public static ColorGmm Fit(IReadOnlyList<(byte B, byte G, byte R)> colours, int components = 5, int iterations = 20)
    {
        if (colours.Count < components) throw new ArgumentException($"{colours.Count} samples cannot fit {components} components");
        int stride = Math.Max(1, colours.Count / MaxSamples);
        var x = Enumerable.Range(0, colours.Count / stride).Select(i => colours[i * stride])
            .Select(c => new double[] { c.B, c.G, c.R }).OrderBy(v => v[0] + v[1] + v[2]).ToArray();
        int n = x.Length;
        // Responsibilities start as a hard split into brightness groups.
        var resp = new double[n, components];
        for (int i = 0; i < n; i++) resp[i, Math.Min(components - 1, i * components / n)] = 1;

        ColorGmm model = MStep(x, resp, components);
        double previous = double.NegativeInfinity;
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            double total = 0;
            var log = new double[components];
            for (int i = 0; i < n; i++)
            {
                for (int k = 0; k < components; k++) log[k] = model.ComponentLog(k, x[i][0], x[i][1], x[i][2]);
                double max = log.Max(), sum = 0;
                for (int k = 0; k < components; k++) sum += Math.Exp(log[k] - max);
                double logSum = max + Math.Log(sum);
                total += logSum;
                for (int k = 0; k < components; k++) resp[i, k] = Math.Exp(log[k] - logSum);
            }
            model = MStep(x, resp, components);
            if (total - previous < 1e-4 * n) break;
            previous = total;
        }
        return model;
    }

    private static ColorGmm MStep(double[][] x, double[,] resp, int components)
    {
        int n = x.Length;
        var logWeights = new double[components];
        var means = new double[components][];
        var precisions = new double[components][];
        var logNormalisers = new double[components];
        for (int k = 0; k < components; k++)
        {
            double nk = 1e-9;
            var mean = new double[3];
            for (int i = 0; i < n; i++) { nk += resp[i, k]; for (int d = 0; d < 3; d++) mean[d] += resp[i, k] * x[i][d]; }
            for (int d = 0; d < 3; d++) mean[d] /= nk;
            var cov = Matrix<double>.Build.DenseIdentity(3) * Regularisation;
            for (int i = 0; i < n; i++)
            {
                if (resp[i, k] == 0) continue;
                for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                    cov[a, b] += resp[i, k] * (x[i][a] - mean[a]) * (x[i][b] - mean[b]) / nk;
            }
            var cholesky = cov.Cholesky();
            var precision = cholesky.Solve(Matrix<double>.Build.DenseIdentity(3));
            logWeights[k] = Math.Log(nk / n);
            means[k] = mean;
            precisions[k] = precision.ToRowMajorArray();
            logNormalisers[k] = -0.5 * (3 * Math.Log(2 * Math.PI) + cholesky.DeterminantLn);
        }
        return new ColorGmm(logWeights, means, precisions, logNormalisers);
    }

    private double ComponentLog(int k, double b, double g, double r)
    {
        var m = _means[k];
        var p = _precisions[k];
        double d0 = b - m[0], d1 = g - m[1], d2 = r - m[2];
        double q = d0 * (p[0] * d0 + p[1] * d1 + p[2] * d2) + d1 * (p[3] * d0 + p[4] * d1 + p[5] * d2) + d2 * (p[6] * d0 + p[7] * d1 + p[8] * d2);
        return _logWeights[k] + _logNormalisers[k] - 0.5 * q;
    }

    /// <summary>log p(colour) under the mixture.</summary>
    public double LogLikelihood(byte b, byte g, byte r)
    {
        double max = double.NegativeInfinity;
        Span<double> log = stackalloc double[_means.Length];
        for (int k = 0; k < _means.Length; k++) { log[k] = ComponentLog(k, b, g, r); max = Math.Max(max, log[k]); }
        double sum = 0;
        for (int k = 0; k < _means.Length; k++) sum += Math.Exp(log[k] - max);
        return max + Math.Log(sum);
    }
}
