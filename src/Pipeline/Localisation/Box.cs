namespace Pipeline.Localisation;

/// <summary>A box in pixel coordinates, both corners inclusive (the ILSVRC convention).</summary>
public readonly record struct Box(int XMin, int YMin, int XMax, int YMax)
{
    public static Box Whole(int width, int height) => new(0, 0, width - 1, height - 1);

    /// <summary>Inclusive pixel area; 64-bit throughout (a box from int.MinValue to int.MaxValue has 2^64 pixels, no overflow to 0) and in double past that.</summary>
    public double Area => (double)((long)XMax - XMin + 1) * ((long)YMax - YMin + 1);

    /// <summary>Intersection over union with inclusive pixel areas; 0 for an empty intersection.</summary>
    public double IoU(Box other)
    {
        long w = (long)Math.Min(XMax, other.XMax) - Math.Max(XMin, other.XMin) + 1;
        long h = (long)Math.Min(YMax, other.YMax) - Math.Max(YMin, other.YMin) + 1;
        if (w <= 0 || h <= 0) return 0;
        double inter = (double)w * h;
        return inter / (Area + other.Area - inter);
    }

    /// <summary>This box (inside the image), found on an image of size (fromW, fromH), on the same image at (toW, toH): the pixels its area touches there.</summary>
    public Box Rescale(int fromW, int fromH, int toW, int toH)
    {
        // Floor and ceiling of exact fractions, in integers: a double scale rounds 7 * (58.0 / 14) up to 29.000000000000004, a pixel too many.
        return new Box(
            (int)((long)XMin * toW / fromW), (int)((long)YMin * toH / fromH),
            (int)Math.Min(toW - 1, (((long)XMax + 1) * toW + fromW - 1) / fromW - 1), (int)Math.Min(toH - 1, (((long)YMax + 1) * toH + fromH - 1) / fromH - 1));
    }
}
