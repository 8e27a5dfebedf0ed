using Pipeline.Localisation;

namespace Pipeline.Measures;

/// <summary>Where a map points, in the image's pixels, and whether that is a hit; Point is null for a flat map, which has no maximum (a miss).</summary>
public sealed record Pointing(bool Hit, (double X, double Y)? Point);

/// <summary>
/// The pointing game (Zhang et al., ECCV 2016, "Top-down Neural Attention by Excitation Backprop"):
/// a hit when the map's maximum lies within 15 pixels (Euclidean, in the image's own pixels) of a
/// ground-truth box of the class. The map covers the whole image at any size (a run's 224x224
/// protocol map); its maximum (the first in row-major order where several are equal) is taken at its
/// pixel's centre and scaled to the image. Boxes are 0-based inclusive pixel coordinates.
/// </summary>
public static class PointingGame
{
    public const double Tolerance = 15;

    public static Pointing Play(double[] map, int mapWidth, int mapHeight, int imageWidth, int imageHeight, IEnumerable<Box> boxes)
    {
        int best = -1;
        for (int i = 0; i < map.Length; i++)
            if (double.IsFinite(map[i]) && (best < 0 || map[i] > map[best])) best = i;
        if (best < 0 || map.All(v => v == map[best])) return new Pointing(false, null);
        double x = (best % mapWidth + 0.5) * imageWidth / mapWidth - 0.5, y = (best / mapWidth + 0.5) * imageHeight / mapHeight - 0.5;
        bool hit = boxes.Any(b => Distance(x, y, b) <= Tolerance);
        return new Pointing(hit, (x, y));
    }

    /// <summary>Euclidean distance from a point to a box (0 inside it).</summary>
    public static double Distance(double x, double y, Box box)
    {
        double dx = Math.Max(0, Math.Max(box.XMin - x, x - box.XMax)), dy = Math.Max(0, Math.Max(box.YMin - y, y - box.YMax));
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
