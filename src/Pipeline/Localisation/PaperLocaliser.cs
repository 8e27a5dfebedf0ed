using OpenCvSharp;

namespace Pipeline.Localisation;

/// <summary>
/// The method as the paper states it (Simonyan, Vedaldi &amp; Zisserman 2014, Sect. 3.2, weakly supervised localisation): colour GMMs from the pixels above the 95% and below
/// the 30% saliency quantiles; GrabCut from a mask with those pixels fixed and the rest probable
/// foreground or background by the GMMs' likelihood ratio; the largest connected component of the
/// foreground; its bounding box. Runs at a reduced resolution (options.SegmentationSide).
/// Fallbacks: a flat map gives the whole image; too few seed pixels on either side, or an empty
/// segmentation, give the bounding box of the foreground seeds.
/// </summary>
public sealed class PaperLocaliser : Localiser
{
    public override string Name => "paper";

    public override Located Locate(Mat bgr, float[] map, LocalisationOptions options)
    {
        var (image, small, w, h) = MapMath.Downscale(bgr, map, options.SegmentationSide);
        using (image)
        {
            var located = LocateSmall(image, small, w, h, options);
            return located with { Box = located.Box.Rescale(w, h, bgr.Width, bgr.Height) };
        }
    }

    private static Located LocateSmall(Mat image, float[] map, int w, int h, LocalisationOptions options)
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
