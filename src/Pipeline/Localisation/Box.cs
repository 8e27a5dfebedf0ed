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

    /// <summary>This box, found on an image of size (fromW, fromH), on the same image at (toW, toH).</summary>
    public Box Rescale(int fromW, int fromH, int toW, int toH)
    {
        double sx = (double)toW / fromW, sy = (double)toH / fromH;
        return new Box(
            (int)Math.Floor(XMin * sx), (int)Math.Floor(YMin * sy),
            Math.Min(toW - 1, (int)Math.Ceiling((XMax + 1) * sx) - 1), Math.Min(toH - 1, (int)Math.Ceiling((YMax + 1) * sy) - 1));
    }
}
