using MathNet.Numerics.Distributions;

namespace Pipeline.Scoring;

/// <summary>
/// Two sets of predictions on the same images, one error at a time (`eval --against`): the images only
/// one of them gets wrong decide it. McNemar's exact test: with no difference between the two, each of
/// those images is equally likely to be either's, so the smaller count follows Binomial(b + c, 1/2); the
/// two-sided p doubles its tail. The difference of the error rates with a 95% interval (normal
/// approximation for paired proportions). Paired, this tells apart differences that two separate
/// intervals on the same images cannot.
/// </summary>
public sealed record PairedComparison(string Error, int Images, int OnlyFirstWrong, int OnlySecondWrong,
    double Difference, double Low, double High, double PValue)
{
    public static PairedComparison Of(string error, IReadOnlyList<(int First, int Second)> pairs)
    {
        int n = pairs.Count, b = pairs.Count(p => p.First == 1 && p.Second == 0), c = pairs.Count(p => p.First == 0 && p.Second == 1);
        double difference = (double)(b - c) / n;
        double half = 1.96 * Math.Sqrt(Math.Max(0, b + c - (double)(b - c) * (b - c) / n)) / n;
        return new PairedComparison(error, n, b, c, difference, difference - half, difference + half, ExactP(b, c));
    }

    /// <summary>Two-sided exact McNemar p: twice the smaller count's binomial tail, at most 1.</summary>
    public static double ExactP(int b, int c) =>
        b + c == 0 ? 1 : Math.Min(1, 2 * Binomial.CDF(0.5, b + c, Math.Min(b, c)));

    /// <summary>Each error of <see cref="ImageScore"/> compared, over the images both lists score.</summary>
    public static List<PairedComparison> All(IReadOnlyList<ImageScore> first, IReadOnlyList<ImageScore> second)
    {
        var other = second.ToDictionary(s => s.ImageId);
        var both = first.Where(f => other.ContainsKey(f.ImageId)).Select(f => (f, s: other[f.ImageId])).ToList();
        return
        [
            Of("top-1 localisation error", both.Select(p => (p.f.Top1LocalisationError, p.s.Top1LocalisationError)).ToList()),
            Of("top-5 localisation error", both.Select(p => (p.f.Top5LocalisationError, p.s.Top5LocalisationError)).ToList()),
            Of("top-1 classification error", both.Select(p => (p.f.Top1ClassificationError, p.s.Top1ClassificationError)).ToList()),
            Of("top-5 classification error", both.Select(p => (p.f.Top5ClassificationError, p.s.Top5ClassificationError)).ToList()),
        ];
    }
}
