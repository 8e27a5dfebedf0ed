using System.Globalization;

namespace Pipeline.Cli;

/// <summary>Every numeric option is checked against its range before anything runs (exit code 2 otherwise).</summary>
public static class OptionRanges
{
    public static int Check(string option, int value, int min, int max, string? why = null) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} {value}: expected {min} to {max}{Why(why)}");

    public static long Check(string option, long value, long min, long max, string? why = null) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} {value}: expected {min} to {max}{Why(why)}");

    /// <summary>A double in [min, max], or (min, max) ends excluded as asked; NaN never passes.</summary>
    public static double Check(string option, double value, double min, double max, bool excludeMin = false, bool excludeMax = false, string? why = null)
    {
        bool above = excludeMin ? value > min : value >= min, below = excludeMax ? value < max : value <= max;
        if (above && below) return value;
        string range = $"{(excludeMin ? "(" : "[")}{Number(min)}, {Number(max)}{(excludeMax ? ")" : "]")}";
        throw new UsageException($"{option} {Number(value)}: expected a value in {range}{Why(why)}");
    }

    /// <summary>
    /// The most images gradient passes may hold at once (batch x K, and for run and bench's stage
    /// figure crops x classes per pass x images in flight): memory grows with them, about 150 MB each
    /// for MobileNetV2 at 224 pixels (docs/speed.md), so a larger request would end in an
    /// out-of-memory kill rather than a result.
    /// </summary>
    public const int MaxFoldedBatch = 256;

    public static void CheckFoldedBatch(string what, int images)
    {
        if (images > MaxFoldedBatch)
            throw new UsageException($"{what} = {images} images in gradient passes at once: at most {MaxFoldedBatch} (memory grows with them, about 150 MB each at 224 pixels)");
    }

    private static string Number(double v) => v.ToString("G", CultureInfo.InvariantCulture);
    private static string Why(string? why) => why == null ? "" : $" ({why})";
}
