using OpenCvSharp;
using Pipeline.Outputs;

namespace Pipeline.Sanity;

/// <summary>
/// The figure in the manner of Adebayo et al.'s Fig. 2: a row per image (its crop, then the trained
/// model's map, then the map after each step), a column per step, the maps in grey (white at their
/// own 99th percentile, as run's map PNGs), the steps named above their columns.
/// </summary>
public static class SanityFigure
{
    private const int Tile = 112, Header = 44, Gap = 2;

    public static Mat Draw(SanityReport report, SanityMode mode, IReadOnlyList<SanityImage> images)
    {
        var steps = report.Steps.Where(s => s.Mode == mode).ToList();
        var columns = new List<(string Label, Func<int, Mat> Tile)>
        {
            ("image", i => images[i].Crop.Resize(new Size(Tile, Tile), 0, 0, InterpolationFlags.Area)),
            ("trained", i => MapTile(report.TrainedMaps[i], report.Side)),
        };
        columns.AddRange(steps.Select(s => (s.Label, (Func<int, Mat>)(i => MapTile(s.Maps[i], report.Side)))));
        int width = columns.Count * (Tile + Gap), height = Header + images.Count * (Tile + Gap);
        var figure = new Mat(height, width, MatType.CV_8UC3, Scalar.White);
        for (int c = 0; c < columns.Count; c++)
        {
            int x = c * (Tile + Gap);
            // A cascade column has every layer down to its block's last randomised.
            Label(figure, c >= 2 && mode == SanityMode.Cascade ? "to " + columns[c].Label.Split("..")[^1] : columns[c].Label, x);
            for (int i = 0; i < images.Count; i++)
            {
                using var tile = columns[c].Tile(i);
                using var roi = new Mat(figure, new Rect(x, Header + i * (Tile + Gap), Tile, Tile));
                tile.CopyTo(roi);
            }
        }
        return figure;
    }

    /// <summary>The label in up to two lines of small type above its column (a block's label, first..last layer, split at the dots).</summary>
    private static void Label(Mat figure, string label, int x)
    {
        var parts = label.Split("..");
        string[] lines = parts.Length == 2 ? [parts[0] + "..", parts[1]] : [label];
        for (int l = 0; l < lines.Length; l++)
        {
            var text = lines[l].Length > 18 ? lines[l][..18] : lines[l];
            Cv2.PutText(figure, text, new Point(x + 2, 16 + l * 16), HersheyFonts.HersheySimplex, 0.36, Scalar.Black, 1, LineTypes.AntiAlias);
        }
    }

    private static Mat MapTile(float[] map, int side)
    {
        using var grey = MapImages.Grey(map, side, side);
        using var small = grey.Resize(new Size(Tile, Tile), 0, 0, InterpolationFlags.Area);
        var bgr = new Mat();
        Cv2.CvtColor(small, bgr, ColorConversionCodes.GRAY2BGR);
        return bgr;
    }
}
