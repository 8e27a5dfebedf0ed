namespace Pipeline.Localisation;

/// <summary>The knobs of localisation. The paper method's defaults are the paper's (Simonyan et al. 2014, Sect. 3.2: 95% and 30% quantiles, GMMs, GraphCut); the mass-box defaults were chosen on ILSVRC images (README, "Localisation results").</summary>
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
    /// <summary>The mass-box method: Gaussian smoothing of the map, sigma as a fraction of the image's shorter side.</summary>
    public double Smoothing { get; init; } = 0.02;
    /// <summary>The mass-box method: the share of the saliency mass left outside on each side.</summary>
    public double MassTail { get; init; } = 0.05;
    /// <summary>The mass-box method: the map (above its floor) is raised to this power first.</summary>
    public double MassPower { get; init; } = 2.0;
    /// <summary>The threshold-box method: the threshold, as a fraction of the smoothed map's range above its minimum.</summary>
    public double Threshold { get; init; } = 0.2;
    /// <summary>The threshold-box method: the box of every region above the threshold, not only of the largest.</summary>
    public bool AllRegions { get; init; }
}

/// <summary>A box and how it was found (a method's normal path, or which fallback).</summary>
public sealed record Located(Box Box, string How);
