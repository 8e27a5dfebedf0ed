namespace Pipeline.ClassModels;

/// <summary>
/// Adam (Kingma &amp; Ba, ICLR 2015) climbing a function: each parameter's step is the learning rate
/// times its gradient's running mean over the root of its running mean square (both bias-corrected),
/// so the step does not depend on the gradient's scale, which differs by orders of magnitude between
/// models and between frequencies.
/// </summary>
public sealed class AdamAscent(int count, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
{
    private readonly double[] _mean = new double[count], _square = new double[count];
    private int _steps;

    /// <summary>Moves <paramref name="parameters"/> one step up <paramref name="gradient"/>.</summary>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        if (parameters.Length != count || gradient.Length != count)
            throw new ArgumentException($"{parameters.Length} parameters and {gradient.Length} gradient values, expected {count}");
        _steps++;
        double meanCorrection = 1 - Math.Pow(beta1, _steps), squareCorrection = 1 - Math.Pow(beta2, _steps);
        for (int i = 0; i < count; i++)
        {
            _mean[i] = beta1 * _mean[i] + (1 - beta1) * gradient[i];
            _square[i] = beta2 * _square[i] + (1 - beta2) * gradient[i] * gradient[i];
            parameters[i] += learningRate * (_mean[i] / meanCorrection) / (Math.Sqrt(_square[i] / squareCorrection) + epsilon);
        }
    }
}
