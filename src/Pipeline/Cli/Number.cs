using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Pipeline.Cli;

/// <summary>
/// Every numeric option is declared here with its range: help states the range and the default from
/// the same figures that check them, and a value outside the range (or not a number) is refused before
/// the command runs, in one line (a usage error, exit code 2).
/// </summary>
public static class Number
{
    /// <summary>A number in [min, max] (ends excluded as asked) with a fixed default.</summary>
    public static Option<T> Of<T>(string name, string description, T min, T max, T defaultValue, bool excludeMin = false, bool excludeMax = false, string? why = null)
        where T : struct, INumber<T>
    {
        var option = new Option<T>(name)
        {
            Description = $"{description}, {OptionRanges.Range(min, max, excludeMin, excludeMax)}",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => result.Tokens.Count == 0 ? defaultValue : Parse(result, name, min, max, excludeMin, excludeMax, why) ?? default,
        };
        return option;
    }

    /// <summary>A number in [min, max] whose default is settled later (by the model's rule, or other options): <paramref name="defaultText"/> says how.</summary>
    public static Option<T?> Open<T>(string name, string description, T min, T max, string defaultText, bool excludeMin = false, bool excludeMax = false)
        where T : struct, INumber<T>
    {
        var option = new Option<T?>(name)
        {
            Description = $"{description}, {OptionRanges.Range(min, max, excludeMin, excludeMax)} (default: {defaultText})",
            CustomParser = result => result.Tokens.Count == 0 ? null : Parse(result, name, min, max, excludeMin, excludeMax, null),
        };
        return option;
    }

    private static T? Parse<T>(System.CommandLine.Parsing.ArgumentResult result, string name, T min, T max, bool excludeMin, bool excludeMax, string? why)
        where T : struct, INumber<T>
    {
        var text = result.Tokens[^1].Value;
        bool whole = typeof(T) == typeof(int) || typeof(T) == typeof(long);
        if (!T.TryParse(text, whole ? NumberStyles.Integer : NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name} '{text}': expected {(whole ? "a whole number" : "a number")}");
            return null;
        }
        if (OptionRanges.Refusal(name, value, min, max, excludeMin, excludeMax, why) is { } refusal)
        {
            result.AddError(refusal);
            return null;
        }
        return value;
    }
}
