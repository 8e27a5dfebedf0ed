using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>The paper localiser's settings, the paper's (Simonyan et al. 2014, Sect. 3.2: 95% and 30% quantiles, GMMs, GraphCut).</summary>
public sealed record PaperOptions
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
}

/// <summary>
/// The method as the paper states it (Simonyan, Vedaldi &amp; Zisserman 2014, Sect. 3.2, weakly supervised localisation): colour GMMs from the pixels above the 95% and below
/// the 30% saliency quantiles; GrabCut from a mask with those pixels fixed and the rest probable
/// foreground or background by the GMMs' likelihood ratio; the largest connected component of the
/// foreground; its bounding box. Runs at a reduced resolution (SegmentationSide).
/// Fallbacks: a flat map gives the whole image; too few seed pixels on either side, or an empty
/// segmentation, give the bounding box of the foreground seeds.
/// </summary>
public sealed class PaperLocaliser(PaperOptions options) : Localiser
{
    public override string Name => "paper";
    public PaperOptions Options => options;
    public override object Settings => options;

    public override Located Locate(Mat bgr, float[] map)
    {
        var (image, small, w, h) = MapMath.Downscale(bgr, map, options.SegmentationSide);
        using (image)
        {
            var located = LocateSmall(image, small, w, h, options);
            return located with { Box = located.Box.Rescale(w, h, bgr.Width, bgr.Height) };
        }
    }

    private static Located LocateSmall(Mat image, float[] map, int w, int h, PaperOptions options)
    {
        var quantiles = MapMath.Quantiles(map, options.ForegroundQuantile, options.BackgroundQuantile);
        float hi = quantiles[0], lo = quantiles[1];
        if (hi <= lo) return new(Box.Whole(w, h), "flat map: whole image");
        var foreground = map.Select(v => v >= hi).ToArray();
        var background = map.Select(v => v <= lo).ToArray();
        var seedBox = MapMath.BoundingBox(foreground, w)!.Value;
        int fgCount = foreground.Count(f => f), bgCount = background.Count(b => b);
        if (fgCount < options.MinimumSeeds || bgCount < options.MinimumSeeds) return new(seedBox, "too few seeds: foreground seed box");

        image.GetArray(out Vec3b[] pixels);
        var fgModel = ColorGmm.Fit(Colours(pixels, foreground), options.Components);
        var bgModel = ColorGmm.Fit(Colours(pixels, background), options.Components);
        var mask = new byte[w * h];
        for (int i = 0; i < mask.Length; i++)
        {
            var p = pixels[i];
            mask[i] = foreground[i] ? (byte)GrabCutClasses.FGD
                : background[i] ? (byte)GrabCutClasses.BGD
                : fgModel.LogLikelihood(p.Item0, p.Item1, p.Item2) > bgModel.LogLikelihood(p.Item0, p.Item1, p.Item2) ? (byte)GrabCutClasses.PR_FGD
                : (byte)GrabCutClasses.PR_BGD;
        }
        using var maskMat = new Mat(h, w, MatType.CV_8UC1);
        maskMat.SetArray(mask);
        using var bgdModel = new Mat();
        using var fgdModel = new Mat();
        Cv2.GrabCut(image, maskMat, new Rect(), bgdModel, fgdModel, options.Iterations, GrabCutModes.InitWithMask);
        maskMat.GetArray(out byte[] labels);
        var segmented = labels.Select(l => l is (byte)GrabCutClasses.FGD or (byte)GrabCutClasses.PR_FGD).ToArray();
        return MapMath.LargestComponentBox(segmented, w, h) is { } box
            ? new(box, "segmentation")
            : new(seedBox, "empty segmentation: foreground seed box");
    }

    private static List<(byte, byte, byte)> Colours(Vec3b[] pixels, bool[] chosen)
    {
        var list = new List<(byte, byte, byte)>();
        for (int i = 0; i < pixels.Length; i++)
            if (chosen[i]) list.Add((pixels[i].Item0, pixels[i].Item1, pixels[i].Item2));
        return list;
    }
}
