using OpenCvSharp;

namespace Pipeline.Outputs;

/// <summary>
/// A score map as the MaxBoxAcc protocol sees it (Choe et al., CVPR 2020): resized to 224x224 and
/// min-max normalised to [0, 1]; a constant map (or one with a NaN) becomes all zeros, as the
/// reference code's normalize_scoremap does.
/// </summary>
public static class ProtocolMap
{
    public const int Side = 224;

    /// <summary>Row-major (height, width) values to 224x224 in [0, 1], resized with the given OpenCV interpolation.</summary>
    public static double[] Make(double[] values, int height, int width, InterpolationFlags interpolation)
    {
        // A flat map stays flat: resizing it can add rounding noise that min-max would stretch to [0, 1].
        if (!values.All(double.IsFinite) || values.Min() == values.Max()) return new double[Side * Side];
        double[] resized;
        if (height == Side && width == Side) resized = (double[])values.Clone();
        else
        {
            using var map = new Mat(height, width, MatType.CV_64FC1);
            map.SetArray(values);
            using var small = map.Resize(new Size(Side, Side), 0, 0, interpolation);
            small.GetArray(out resized);
        }
        return MinMax(resized);
    }

    /// <summary>(v - min) / (max - min) in place; zeros for a constant map, or one with a NaN (or an infinity, which would make NaNs).</summary>
    public static double[] MinMax(double[] values)
    {
        if (!values.All(double.IsFinite)) return new double[values.Length];
        double min = values.Min(), max = values.Max();
        if (min == max) return new double[values.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] - min) / (max - min);
        return values;
    }
}
