using System.CommandLine;
using Pipeline.Localisation;

namespace Pipeline.Cli;

/// <summary>
/// run's localiser options: --localiser, and each localiser's settings declared once with the
/// localisers they apply to (a new setting is one declaration and one line in its record below). A setting given for a localiser it does not apply to is refused (exit 2):
/// it would change nothing, and the user asked for something.
/// </summary>
public static class LocaliserOptions
{
    private static readonly PaperOptions Paper = new();
    private static readonly MassBoxOptions MassBox = new();
    private static readonly ThresholdBoxOptions ThresholdBox = new();
    private const string MassBoxName = "mass-box", ThresholdBoxName = "threshold-box", PaperName = "paper", QuantileBoxName = "quantile-box";

    /// <summary>Each setting and the localisers it applies to.</summary>
    private static readonly List<(Option Option, string[] Localisers)> AppliesTo = [];

    private static T For<T>(T option, params string[] localisers) where T : Option
    {
        AppliesTo.Add((option, localisers));
        return option;
    }

    public static readonly Option<Localiser> Localiser = OldNames.Renamed(Choice.Of("--localiser", "how a map becomes a box",
        Localisation.Localiser.All.Select(l => (l.Name, l)), Localisation.Localiser.Default.Name), "--method");

    private static readonly Option<double> FgQuantile = For(Number.Of("--fg-quantile", "paper, quantile-box: foreground seed quantile", 0.0, 1.0, Paper.ForegroundQuantile, excludeMin: true), PaperName, QuantileBoxName);
    private static readonly Option<double> BgQuantile = For(Number.Of("--bg-quantile", "paper: background seed quantile, below --fg-quantile", 0.0, 1.0, Paper.BackgroundQuantile, excludeMax: true), PaperName);
    private static readonly Option<int> Components = For(Number.Of("--components", "paper: GMM components", 1, 20, Paper.Components), PaperName);
    private static readonly Option<int> Iterations = For(Number.Of("--iterations", "paper: GrabCut iterations", 1, 100, Paper.Iterations), PaperName);
    private static readonly Option<int> SegmentationSide = For(Number.Of("--segmentation-side", "paper: longer side of the image the segmentation runs on", 16, 4096, Paper.SegmentationSide), PaperName);
    private static readonly Option<double?> BoxSigma = For(OldNames.Renamed(Number.Open("--box-sigma", "mass-box, threshold-box: Gaussian sigma of the map before the box, as a fraction of the shorter side",
        0.0, 0.5, $"by the model's rule: {RuleDefaults.Describe(RuleDefaults.BoxSigma)}"), "--smoothing"), MassBoxName, ThresholdBoxName);
    private static readonly Option<double> MassTail = For(Number.Of("--mass-tail", "mass-box: share of the saliency mass left outside each side", 0.0, 0.5, MassBox.MassTail,
        excludeMax: true, why: "a tail of half the mass from each side leaves no box"), MassBoxName);
    private static readonly Option<double?> MassPower = For(Number.Open("--mass-power", "mass-box: power the map is raised to", 0.0, 10.0,
        $"by the model's rule: {RuleDefaults.Describe(RuleDefaults.MassPower)}", excludeMin: true), MassBoxName);
    private static readonly Option<double> Threshold = For(Number.Of("--threshold", "threshold-box: threshold as a fraction of the smoothed map's range", 0.0, 1.0, ThresholdBox.Threshold, excludeMax: true), ThresholdBoxName);
    private static readonly Option<bool> AllRegions = For(new Option<bool>("--all-regions") { Description = "threshold-box: the box of every region above the threshold, not only the largest" }, ThresholdBoxName);

    public static IEnumerable<Option> All => [Localiser, .. AppliesTo.Select(a => a.Option)];

    /// <summary>The chosen localiser with its settings; a setting for another localiser is a UsageException.</summary>
    public static Localiser Read(ParseResult parse)
    {
        var chosen = parse.GetValue(Localiser)!;
        foreach (var (option, localisers) in AppliesTo)
            if (parse.GetResult(option) is { Implicit: false } && !localisers.Contains(chosen.Name))
                throw new UsageException($"{option.Name} applies to {string.Join(" and ", localisers)}, not to --localiser {chosen.Name}");
        return chosen switch
        {
            MassBoxLocaliser => new MassBoxLocaliser(new MassBoxOptions
            {
                BoxSigma = parse.GetValue(BoxSigma), MassTail = parse.GetValue(MassTail), MassPower = parse.GetValue(MassPower),
            }),
            ThresholdBoxLocaliser => new ThresholdBoxLocaliser(new ThresholdBoxOptions
            {
                BoxSigma = parse.GetValue(BoxSigma), Threshold = parse.GetValue(Threshold), AllRegions = parse.GetValue(AllRegions),
            }),
            PaperLocaliser => new PaperLocaliser(new PaperOptions
            {
                ForegroundQuantile = parse.GetValue(FgQuantile),
                BackgroundQuantile = OptionRanges.Check("--bg-quantile", parse.GetValue(BgQuantile), 0, parse.GetValue(FgQuantile), excludeMax: true, why: "below --fg-quantile"),
                Components = parse.GetValue(Components),
                Iterations = parse.GetValue(Iterations),
                SegmentationSide = parse.GetValue(SegmentationSide),
            }),
            QuantileBoxLocaliser => new QuantileBoxLocaliser(new QuantileBoxOptions { ForegroundQuantile = parse.GetValue(FgQuantile) }),
            _ => chosen,
        };
    }
}
