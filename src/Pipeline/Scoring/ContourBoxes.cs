using OpenCvSharp;
using Pipeline.Localisation;

namespace Pipeline.Scoring;

/// <summary>
/// The boxes the MaxBoxAcc protocol reads off a normalised score map at one threshold, as the
/// reference code (wsolevaluation, compute_bboxes_from_scoremaps) does: the map as 8-bit
/// (truncated v * 255), the mask of pixels above int(tau * max), OpenCV's findContours (RETR_TREE,
/// CHAIN_APPROX_SIMPLE), and per contour the box (x, y, x + w, y + h) of its bounding rectangle,
/// clipped to the last row and column. One contour (v1): the largest by contour area, the first
/// of equals. All contours (v2). No contour: the box (0, 0, 0, 0).
/// </summary>
public sealed class ContourBoxes : IDisposable
{
    private readonly Mat _image;
    private readonly int _max;

    /// <summary>A map of the given size with values in [0, 1], row-major.</summary>
    public ContourBoxes(double[] map, int height, int width)
    {
        var bytes = new byte[map.Length];
        for (int i = 0; i < map.Length; i++) bytes[i] = (byte)(int)(map[i] * 255);
        _max = bytes.Length == 0 ? 0 : bytes.Max();
        _image = new Mat(height, width, MatType.CV_8UC1);
        _image.SetArray(bytes);
    }

    /// <summary>The 8-bit threshold at tau: pixels strictly above it are in the mask (cv2.THRESH_BINARY).</summary>
    public int Threshold(double tau) => (int)(tau * _max);

    /// <summary>The boxes at tau: of the largest contour (v1) and of every contour (v2).</summary>
    public (Box Largest, IReadOnlyList<Box> All) At(double tau)
    {
        using var mask = new Mat();
        Cv2.Threshold(_image, mask, Threshold(tau), 255, ThresholdTypes.Binary);
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.Tree, ContourApproximationModes.ApproxSimple);
        if (contours.Length == 0) return (new Box(0, 0, 0, 0), [new Box(0, 0, 0, 0)]);
        int largest = 0;
        double area = Cv2.ContourArea(contours[0]);
        for (int i = 1; i < contours.Length; i++)
            if (Cv2.ContourArea(contours[i]) is var a && a > area) (largest, area) = (i, a);
        var all = contours.Select(BoxOf).ToList();
        return (all[largest], all);
    }

    private Box BoxOf(Point[] contour)
    {
        var r = Cv2.BoundingRect(contour);
        return new Box(r.X, r.Y, Math.Min(r.X + r.Width, _image.Width - 1), Math.Min(r.Y + r.Height, _image.Height - 1));
    }

    public void Dispose() => _image.Dispose();
}
