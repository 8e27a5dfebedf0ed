using GradientGraphs.Building;

namespace Pipeline.Localisation;

/// <summary>
/// The box settings that depend on the model's backward rule, as chosen on the 500 ILSVRC tune images
/// (docs/results.md): gradient maps are speckle spread over the object and want little smoothing and
/// a mass power of 2; guided and deconvnet maps (a rectified backward pass) want more smoothing and
/// the plain mass.
/// </summary>
public static class RuleDefaults
{
    private static bool Rectified(AttributionMethod rule) => rule is AttributionMethod.Guided or AttributionMethod.DeconvNet;

    /// <summary>The Gaussian sigma of the map before a box is drawn, as a fraction of the shorter side.</summary>
    public static double BoxSigma(AttributionMethod rule) => Rectified(rule) ? 0.05 : 0.02;

    /// <summary>The power mass-box raises the map to.</summary>
    public static double MassPower(AttributionMethod rule) => Rectified(rule) ? 1.0 : 2.0;

    /// <summary>A default by rule in words, for help: "gradient 0.02, guided and deconvnet 0.05".</summary>
    public static string Describe(Func<AttributionMethod, double> value) =>
        $"gradient {value(AttributionMethod.Gradient)}, guided and deconvnet {value(AttributionMethod.Guided)}";
}
