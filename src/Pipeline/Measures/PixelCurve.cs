namespace Pipeline.Measures;

/// <summary>
/// A deletion or insertion curve: the class probability after each step, over the fraction of the
/// image's pixels changed so far (0 at the first point, 1 at the last), and the area under it by the
/// trapezoid rule over that fraction.
/// </summary>
public sealed record PixelCurve(double[] Fractions, double[] Probabilities)
{
    public double Auc
    {
        get
        {
            double area = 0;
            for (int k = 0; k + 1 < Fractions.Length; k++)
                area += (Fractions[k + 1] - Fractions[k]) * (Probabilities[k] + Probabilities[k + 1]) / 2;
            return area;
        }
    }
}
