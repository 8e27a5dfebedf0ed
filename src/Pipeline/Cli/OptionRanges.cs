using System.Globalization;
using System.Numerics;

namespace Pipeline.Cli;

/// <summary>
/// Range checks and their words: single options are checked as they are parsed (<see cref="Number"/>);
/// checks across options (a quantile below another, images in flight) call <see cref="Check{T}"/>.
/// </summary>
public static class OptionRanges
{
    /// <summary>The value, or a UsageException (exit code 2) naming the option and its range; NaN never passes.</summary>
    public static T Check<T>(string option, T value, T min, T max, bool excludeMin = false, bool excludeMax = false, string? why = null) where T : INumber<T> =>
        Refusal(option, value, min, max, excludeMin, excludeMax, why) is { } refusal ? throw new UsageException(refusal) : value;

    /// <summary>Null when the value is in range, else the one-line refusal.</summary>
    public static string? Refusal<T>(string option, T value, T min, T max, bool excludeMin = false, bool excludeMax = false, string? why = null) where T : INumber<T>
    {
        bool above = excludeMin ? value > min : value >= min, below = excludeMax ? value < max : value <= max;
        return above && below ? null : $"{option} {Text(value)}: expected {Range(min, max, excludeMin, excludeMax)}{(why == null ? "" : $" ({why})")}";
    }

    /// <summary>"1 to 100" for whole numbers, "a value in [0, 0.5)" for others.</summary>
    public static string Range<T>(T min, T max, bool excludeMin = false, bool excludeMax = false) where T : INumber<T> =>
        typeof(T) == typeof(int) || typeof(T) == typeof(long)
            ? $"{Text(min)} to {Text(max)}"
            : $"a value in {(excludeMin ? "(" : "[")}{Text(min)}, {Text(max)}{(excludeMax ? ")" : "]")}";

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

    private static string Text<T>(T v) where T : INumber<T> => v.ToString("G", CultureInfo.InvariantCulture);
}
