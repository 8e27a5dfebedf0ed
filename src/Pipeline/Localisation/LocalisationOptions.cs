using GradientGraphs.Building;

namespace Pipeline.Localisation;

/// <summary>The knobs of localisation. The paper method's defaults are the paper's (Simonyan et al. 2014, Sect. 3.2: 95% and 30% quantiles, GMMs, GraphCut); the mass-box defaults were chosen on ILSVRC images (docs/results.md).</summary>
public sealed record LocalisationOptions
{
    /// <summary>Pixels above this saliency quantile are fixed foreground (and fit the foreground colour model).</summary>
    public double ForegroundQuantile { get; init; } = 0.95;
    /// <summary>Pixels below this saliency quantile are fixed background.</summary>
    public double BackgroundQuantile { get; init; } = 0.30;
    /// <summary>Components of each colour GMM.</summary>
    public int Components { get; init; } = 5;
    /// <summary>GrabCut iterations.</summary>
    public int Iterations { get; init; } = 5;
    /// <summary>Segmentation runs on the image scaled so its longer side is at most this.</summary>
    public int SegmentationSide { get; init; } = 320;
    /// <summary>Fewer seed pixels than this on either side: no segmentation (see the fallbacks).</summary>
    public int MinimumSeeds { get; init; } = 20;
    /// <summary>
    /// The mass-box and threshold-box methods: Gaussian smoothing of the map, sigma as a fraction of
    /// the image's shorter side. Null: the default for the model's rule (<see cref="ForRule"/>).
    /// </summary>
    public double? Smoothing { get; init; }
    /// <summary>The mass-box method: the share of the saliency mass left outside on each side.</summary>
    public double MassTail { get; init; } = 0.05;
    /// <summary>The mass-box method: the map (above its floor) is raised to this power first. Null: the default for the model's rule.</summary>
    public double? MassPower { get; init; }
    /// <summary>The threshold-box method: the threshold, as a fraction of the smoothed map's range above its minimum.</summary>
    public double Threshold { get; init; } = 0.2;
    /// <summary>The threshold-box method: the box of every region above the threshold, not only of the largest.</summary>
    public bool AllRegions { get; init; }

    /// <summary>The smoothing in use: as set, or the gradient rule's default where no rule filled it in.</summary>
    public double SmoothingValue => Smoothing ?? ForRule(AttributionMethod.Gradient).Smoothing!.Value;
    /// <summary>The mass power in use: as set, or the gradient rule's default where no rule filled it in.</summary>
    public double MassPowerValue => MassPower ?? ForRule(AttributionMethod.Gradient).MassPower!.Value;

    /// <summary>
    /// The mass-box settings left open filled in for the maps of a backward rule, as chosen on the 500
    /// ILSVRC tune images (docs/results.md): gradient maps are speckle spread over the
    /// object and want little smoothing and a power of 2; guided and deconvnet maps (a rectified
    /// backward pass) want more smoothing and the plain mass (deconvnet maps with MobileNetV2: 46.2%
    /// top-5 error with these, 50.4% with the gradient's).
    /// </summary>
    public LocalisationOptions ForRule(AttributionMethod rule) => rule is AttributionMethod.Guided or AttributionMethod.DeconvNet
        ? this with { Smoothing = Smoothing ?? 0.05, MassPower = MassPower ?? 1.0 }
        : this with { Smoothing = Smoothing ?? 0.02, MassPower = MassPower ?? 2.0 };
}

/// <summary>A box and how it was found (a method's normal path, or which fallback).</summary>
public sealed record Located(Box Box, string How);