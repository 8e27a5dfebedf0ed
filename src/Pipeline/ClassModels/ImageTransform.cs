namespace Pipeline.ClassModels;

/// <summary>
/// A similarity transform of square images [C, Side, Side] about their centre: scale, then rotate
/// (degrees, counter-clockwise as seen on the image), then shift (pixels). Each output pixel takes
/// the bilinear sample of the input at the inverse-mapped position; outside the image the input is
/// mirrored at its border, so no constant frame enters the picture. <see cref="Apply"/> is a linear
/// map; <see cref="ApplyAdjoint"/> is its transpose, which carries a gradient with respect to the
/// transformed image back to the image.
/// </summary>
public sealed class ImageTransform
{
    private readonly int _side;
    // Per output pixel, its four input pixels and their bilinear weights.
    private readonly int[] _source;
    private readonly float[] _weight;

    public double Dx { get; }
    public double Dy { get; }
    public double Scale { get; }
    public double Degrees { get; }

    public ImageTransform(int side, double dx, double dy, double scale, double degrees)
    {
        if (side < 1 || !(scale > 0)) throw new ArgumentException($"side {side} and scale {scale}: both must be positive");
        (_side, Dx, Dy, Scale, Degrees) = (side, dx, dy, scale, degrees);
        _source = new int[4 * side * side];
        _weight = new float[4 * side * side];
        double centre = (side - 1) / 2.0, angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
        {
            // Inverse map: undo the shift, rotate back (y points down, so counter-clockwise on screen is -angle in (x, y)), then unscale.
            double ox = x - dx - centre, oy = y - dy - centre;
            double sx = (cos * ox - sin * oy) / scale + centre, sy = (sin * ox + cos * oy) / scale + centre;
            int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
            double fx = sx - x0, fy = sy - y0;
            int o = 4 * (y * side + x);
            Set(o, Mirror(y0) * side + Mirror(x0), (1 - fx) * (1 - fy));
            Set(o + 1, Mirror(y0) * side + Mirror(x0 + 1), fx * (1 - fy));
            Set(o + 2, Mirror(y0 + 1) * side + Mirror(x0), (1 - fx) * fy);
            Set(o + 3, Mirror(y0 + 1) * side + Mirror(x0 + 1), fx * fy);
        }

        void Set(int o, int source, double weight) => (_source[o], _weight[o]) = (source, (float)weight);
    }

    /// <summary>A random transform: shift up to <paramref name="shift"/> pixels each way, scale within 1 +- <paramref name="scaleRange"/>, rotation within +-<paramref name="degrees"/>; each uniform.</summary>
    public static ImageTransform Random(int side, Random random, int shift, double scaleRange, double degrees)
    {
        double Uniform(double half) => half * (2 * random.NextDouble() - 1);
        return new ImageTransform(side, random.Next(-shift, shift + 1), random.Next(-shift, shift + 1), 1 + Uniform(scaleRange), Uniform(degrees));
    }

    /// <summary>The transformed images: <paramref name="images"/> is [C, Side, Side] (any C).</summary>
    public float[] Apply(ReadOnlySpan<float> images)
    {
        int plane = _side * _side;
        var result = new float[images.Length];
        for (int c = 0; c < images.Length / plane; c++)
        {
            var input = images.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                float v = 0;
                for (int j = 4 * i; j < 4 * i + 4; j++) v += _weight[j] * input[_source[j]];
                result[c * plane + i] = v;
            }
        }
        return result;
    }

    /// <summary>The transpose of <see cref="Apply"/>: each output pixel's gradient goes back to its four input pixels by their weights.</summary>
    public float[] ApplyAdjoint(ReadOnlySpan<float> gradient)
    {
        int plane = _side * _side;
        var result = new float[gradient.Length];
        for (int c = 0; c < gradient.Length / plane; c++)
        {
            var back = result.AsSpan(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                float g = gradient[c * plane + i];
                for (int j = 4 * i; j < 4 * i + 4; j++) back[_source[j]] += _weight[j] * g;
            }
        }
        return result;
    }

    /// <summary>A coordinate reflected into [0, Side) (the border pixel not repeated), repeatedly for far-off positions.</summary>
    private int Mirror(int i)
    {
        if (_side == 1) return 0;
        int period = 2 * (_side - 1);
        i = ((i % period) + period) % period;
        return i < _side ? i : period - i;
    }
}
