using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>The card options of every command that runs a gradient model (see <see cref="Cards.CardChoice"/>).</summary>
public static class CardOptions
{
    public static Option<FileInfo?> Card() =>
        new("--card") { Description = "model card JSON; needed when the model stores none, refused when it differs from the stored one (see --card-override)" };

    public static Option<bool> Override() =>
        new("--card-override") { Description = "use --card although it differs from the card stored in the model (prints a notice)" };
}
