using System.Text.Json;
using GradientGraphs.Building;
using Pipeline.Localisation;

namespace Pipeline.Runs;

/// <summary>
/// The "localisation options" value earlier versions wrote into run-state.json: one bag of every
/// localiser's settings (the chosen one's as run, the others at their defaults for the model's rule),
/// in their property order and naming. A run folder of an earlier version continues when it matches.
/// </summary>
public static class EarlierLocalisationOptions
{
    public static string Of(Localiser chosen, AttributionMethod rule)
    {
        var mass = (chosen as MassBoxLocaliser)?.Options ?? new MassBoxOptions().ForRule(rule);
        var threshold = (chosen as ThresholdBoxLocaliser)?.Options ?? new ThresholdBoxOptions().ForRule(rule);
        var paper = (chosen as PaperLocaliser)?.Options ?? new PaperOptions();
        // The bag had one sigma for both box localisers and one foreground quantile for paper and quantile-box.
        double sigma = chosen is ThresholdBoxLocaliser ? threshold.BoxSigmaValue : mass.BoxSigmaValue;
        double foreground = (chosen as QuantileBoxLocaliser)?.Options.ForegroundQuantile ?? paper.ForegroundQuantile;
        return JsonSerializer.Serialize(new
        {
            ForegroundQuantile = foreground,
            paper.BackgroundQuantile,
            paper.Components,
            paper.Iterations,
            paper.SegmentationSide,
            paper.MinimumSeeds,
            Smoothing = sigma,
            mass.MassTail,
            MassPower = mass.MassPowerValue,
            threshold.Threshold,
            threshold.AllRegions,
            SmoothingValue = sigma,
            mass.MassPowerValue,
        });
    }
}
