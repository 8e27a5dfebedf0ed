using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// Every option that takes one of a set of names is declared here: the names are the value's label in
/// help (with the default), and anything else is refused before the command runs, in one line naming
/// the option and the names (a usage error, exit code 2).
/// </summary>
public static class Choice
{
    /// <summary>One of a fixed list of names, each standing for a value (not a bool: System.CommandLine reads a bool option as a flag).</summary>
    public static Option<T> Of<T>(string name, string description, IEnumerable<(string Name, T Value)> values, string defaultName)
    {
        var list = values.ToList();
        return Open(name, description, list.Select(v => v.Name).ToArray(),
            text => list.FirstOrDefault(v => v.Name == text) is { Name: not null } found ? (true, found.Value) : (false, default!), defaultName);
    }

    /// <summary>
    /// A comma-separated list of names from a fixed list, or <paramref name="allWord"/> for every one;
    /// none when the option is not given. An unknown name is refused by itself.
    /// </summary>
    public static Option<T[]> ListOf<T>(string name, string description, IEnumerable<(string Name, T Value)> values, string allWord)
    {
        var list = values.ToList();
        string[] shown = [allWord, .. list.Select(v => v.Name)];
        var option = new Option<T[]>(name)
        {
            Description = description,
            HelpName = string.Join(",", shown[..2]) + ",...",
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                var words = text.Split(',', StringSplitOptions.TrimEntries).Distinct().ToList();
                if (words.Contains(allWord)) return list.Select(v => v.Value).ToArray();
                if (words.FirstOrDefault(w => list.All(v => v.Name != w)) is { } unknown)
                {
                    result.AddError($"{name} '{unknown}': expected a comma-separated list of {string.Join(", ", shown[..^1])} or {shown[^1]}");
                    return [];
                }
                return words.Select(w => list.First(v => v.Name == w).Value).ToArray();
            },
        };
        option.CompletionSources.Add(shown);
        return option;
    }

    /// <summary>An enum's members by their lower-case names.</summary>
    public static Option<T> Of<T>(string name, string description, T defaultValue) where T : struct, Enum =>
        Of(name, description, Enum.GetValues<T>().Select(v => (v.ToString().ToLowerInvariant(), v)), defaultValue.ToString().ToLowerInvariant());

    /// <summary>Names that follow a pattern (as cuda:ID): <paramref name="shown"/> lists them for help and refusals.</summary>
    public static Option<T> Open<T>(string name, string description, string[] shown, Func<string, (bool Ok, T Value)> parse, string? defaultName)
    {
        string expected = $"expected {string.Join(", ", shown[..^1])}{(shown.Length > 1 ? " or " : "")}{shown[^1]}";
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = string.Join("|", shown),
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0 && defaultName != null) return parse(defaultName).Value;
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                var (ok, value) = parse(text);
                if (!ok) result.AddError($"{name} '{text}': {expected}");
                return value;
            },
        };
        // Help shows the default by its ToString (an enum member's capitalised name).
        if (defaultName != null) option.DefaultValueFactory = _ => parse(defaultName).Value;
        option.CompletionSources.Add(shown);
        return option;
    }
}
