using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Pipeline.Cli;

/// <summary>
/// Options renamed so that each name says one thing: the old name still works for one release, hidden
/// from help, with a note on stderr each time it is used. It is rewritten to the new name before the
/// command line is parsed, so every check and message is the new option's.
/// </summary>
public static class OldNames
{
    private static readonly ConditionalWeakTable<Option, string> Old = new();

    /// <summary>The option also answers to its old name.</summary>
    public static T Renamed<T>(T option, string oldName) where T : Option
    {
        Old.AddOrUpdate(option, oldName);
        return option;
    }

    /// <summary>The arguments with the old names of the command's options replaced by the new ones (a note for each).</summary>
    public static string[] Rewrite(RootCommand root, string[] args)
    {
        if (args.Length == 0 || root.Subcommands.FirstOrDefault(c => c.Name == args[0]) is not { } command) return args;
        var renames = command.Options.Select(o => (Option: o, Old: Old.TryGetValue(o, out var old) ? old : null)).Where(r => r.Old != null).ToList();
        return args.Select((arg, i) =>
        {
            if (i == 0) return arg;
            foreach (var (option, old) in renames)
                if (arg == old || arg.StartsWith(old + "=") || arg.StartsWith(old + ":"))
                {
                    Console.Error.WriteLine($"note: {old} is now {option.Name}; the old name goes in a later release");
                    return option.Name + arg[old!.Length..];
                }
            return arg;
        }).ToArray();
    }
}
