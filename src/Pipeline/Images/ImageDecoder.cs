using OpenCvSharp;

namespace Pipeline.Images;

/// <summary>
/// Stage 1b: a checked image file (<see cref="ImageProbe"/>) to an 8-bit, 3-channel BGR image, at no
/// more resolution than the run needs: a JPEG much larger than that is decoded at 1/2, 1/4 or 1/8 of
/// its size by the JPEG decoder itself (DCT scaling), so a 12000x12000 photo never exists in memory
/// at full size. Grey, alpha and 16-bit images are converted; the EXIF orientation is ignored, as
/// the ILSVRC boxes are in stored pixel order.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Decodes the file; at least `needed` pixels on each axis survive where the image has them. More
    /// than maxPixels decoded pixels is refused before decoding (for a JPEG, counted after its scale-down).
    /// </summary>
    public static Mat Decode(string path, ImageHeader header, Size needed, long maxPixels) => Decode(path, header, needed, maxPixels, out _);

    /// <summary>As above; `warning` is the decoder's complaint about a JPEG's data (corrupt or cut), null when it decoded cleanly.</summary>
    public static Mat Decode(string path, ImageHeader header, Size needed, long maxPixels, out string? warning)
    {
        warning = null;
        int reduction = header.Format == "JPEG" ? Reduction(header, needed) : 1;
        long decoded = (long)((header.Width + reduction - 1) / reduction) * ((header.Height + reduction - 1) / reduction);
        if (decoded > maxPixels)
            throw new InputException($"{path}: {header.Width}x{header.Height} decodes to {decoded} pixels, above the limit of {maxPixels} (raise it with --max-pixels)");
        if (header.Format == "JPEG" && JpegDecoder.Decode(path, reduction, out warning) is { } jpeg) return jpeg;
        // IMREAD_UNCHANGED keeps stored pixel order; the reduced modes need IgnoreOrientation for that.
        var mode = reduction switch
        {
            8 => ImreadModes.ReducedColor8 | ImreadModes.IgnoreOrientation,
            4 => ImreadModes.ReducedColor4 | ImreadModes.IgnoreOrientation,
            2 => ImreadModes.ReducedColor2 | ImreadModes.IgnoreOrientation,
            _ => ImreadModes.Unchanged,
        };
        // A PNG goes through PngStructure's repair of a missing IEND chunk, which OpenCV's reader refuses.
        var raw = header.Format == "PNG" ? Cv2.ImDecode(PngStructure.Completed(File.ReadAllBytes(path)), mode) : Cv2.ImRead(path, mode);
        if (raw.Empty())
        {
            raw.Dispose();
            throw new InputException($"{path}: not a readable image (OpenCV cannot decode it)");
        }
        return ToBgr(raw, path);
    }

    /// <summary>Decodes the whole file at full size (tests and tools).</summary>
    public static Mat Decode(string path) => Decode(path, ImageProbe.Read(path), new Size(int.MaxValue, int.MaxValue), long.MaxValue);

    /// <summary>The largest JPEG scale-down (8, 4, 2 or 1) that keeps at least `needed` pixels on both axes.</summary>
    public static int Reduction(ImageHeader header, Size needed)
    {
        foreach (var f in new[] { 8, 4, 2 })
            if ((header.Width + f - 1) / f >= needed.Width && (header.Height + f - 1) / f >= needed.Height) return f;
        return 1;
    }

    /// <summary>Takes ownership of raw; returns 8-bit BGR (raw itself when it already is).</summary>
    private static Mat ToBgr(Mat raw, string path)
    {
        if (raw.Depth() != MatType.CV_8U)
        {
            double scale = raw.Depth() == MatType.CV_16U ? 1.0 / 257 : raw.Depth() == MatType.CV_32F || raw.Depth() == MatType.CV_64F ? 255 : 1;
            var eightBit = new Mat();
            raw.ConvertTo(eightBit, MatType.CV_8U, scale);
            raw.Dispose();
            raw = eightBit;
        }
        if (raw.Channels() == 3) return raw;
        using (raw)
        {
            var bgr = new Mat();
            switch (raw.Channels())
            {
                case 1: Cv2.CvtColor(raw, bgr, ColorConversionCodes.GRAY2BGR); break;
                case 4: Cv2.CvtColor(raw, bgr, ColorConversionCodes.BGRA2BGR); break;
                default:
                    bgr.Dispose();
                    throw new InputException($"{path}: {raw.Channels()} channels are not supported");
            }
            return bgr;
        }
    }
}
