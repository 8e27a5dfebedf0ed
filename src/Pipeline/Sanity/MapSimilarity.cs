using MathNet.Numerics.Statistics;
using OpenCvSharp;

namespace Pipeline.Sanity;

/// <summary>
/// How alike two maps of one image are, by the measures of Adebayo et al. (2018): Spearman's rank
/// correlation, SSIM and the correlation of HOG features. A measure that is undefined for the pair
/// (a constant map has no ranks to correlate) is NaN, and the table says how many images had one.
/// </summary>
public static class MapSimilarity
{
    /// <summary>Spearman's rank correlation, ties given their mean rank.</summary>
    public static double Spearman(float[] a, float[] b) =>
        Correlation.Spearman(a.Select(v => (double)v), b.Select(v => (double)v));

    /// <summary>Spearman's rank correlation of the absolute values.</summary>
    public static double SpearmanAbsolute(float[] a, float[] b) =>
        Correlation.Spearman(a.Select(v => (double)Math.Abs(v)), b.Select(v => (double)Math.Abs(v)));

    /// <summary>
    /// The structural similarity index (Wang, Bovik, Sheikh &amp; Simoncelli 2004) of the two maps,
    /// each scaled to [0, 1] by its own minimum and maximum (a constant map is all 0): local means,
    /// variances and covariance under an 11 x 11 Gaussian window of sigma 1.5 (borders reflected),
    /// C1 = 0.01^2 and C2 = 0.03^2, averaged over the map.
    /// </summary>
    public static double Ssim(float[] a, float[] b, int side)
    {
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        using var x = Unit(a, side);
        using var y = Unit(b, side);
        using var xx = x.Mul(x).ToMat();
        using var yy = y.Mul(y).ToMat();
        using var xy = x.Mul(y).ToMat();
        using var muX = Window(x);
        using var muY = Window(y);
        using var sxx = Window(xx);
        using var syy = Window(yy);
        using var sxy = Window(xy);
        muX.GetArray(out double[] mx);
        muY.GetArray(out double[] my);
        sxx.GetArray(out double[] vxx);
        syy.GetArray(out double[] vyy);
        sxy.GetArray(out double[] vxy);
        double sum = 0;
        for (int i = 0; i < mx.Length; i++)
        {
            double varX = vxx[i] - mx[i] * mx[i], varY = vyy[i] - my[i] * my[i], cov = vxy[i] - mx[i] * my[i];
            sum += (2 * mx[i] * my[i] + c1) * (2 * cov + c2) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (varX + varY + c2));
        }
        return sum / mx.Length;
    }

    /// <summary>
    /// Pearson's correlation of the two maps' HOG descriptors (OpenCV: 8-pixel cells, 16-pixel blocks
    /// at an 8-pixel stride, 9 orientations) over the largest window of whole cells, each map scaled to
    /// 0..255 by its own range first. NaN when either descriptor is constant (a constant map).
    /// </summary>
    public static double Hog(float[] a, float[] b, int side)
    {
        var (da, db) = (HogFeatures(a, side), HogFeatures(b, side));
        return Correlation.Pearson(da.Select(v => (double)v), db.Select(v => (double)v));
    }

    public static float[] HogFeatures(float[] map, int side)
    {
        int window = side / 8 * 8;
        using var unit = Unit(map, side);
        using var bytes = new Mat();
        unit.ConvertTo(bytes, MatType.CV_8UC1, 255);
        using var roi = new Mat(bytes, new Rect(0, 0, window, window));
        using var hog = new HOGDescriptor(new Size(window, window), new Size(16, 16), new Size(8, 8), new Size(8, 8), 9);
        return hog.Compute(roi.Clone());
    }

    /// <summary>The map as a double matrix scaled to [0, 1] by its own range; all 0 when the map is constant.</summary>
    private static Mat Unit(float[] map, int side)
    {
        float min = map.Min(), max = map.Max();
        double range = max - min;
        var m = new Mat(side, side, MatType.CV_64FC1);
        m.SetArray(map.Select(v => range > 0 ? (v - min) / range : 0.0).ToArray());
        return m;
    }

    private static Mat Window(Mat m)
    {
        var blurred = new Mat();
        Cv2.GaussianBlur(m, blurred, new Size(11, 11), 1.5, 1.5, BorderTypes.Reflect101);
        return blurred;
    }
}
