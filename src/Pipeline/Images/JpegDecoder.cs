using OpenCvSharp;

namespace Pipeline.Images;

/// <summary>
/// Decodes a JPEG with libjpeg-turbo's TurboJPEG API into 8-bit BGR, scaled down by 1, 2, 4 or 8 in
/// the decoder, with the same pixels as OpenCV's reader (the same library underneath) but with the
/// decoder's warnings kept for the image's own row instead of printed on stderr unnamed.
/// </summary>
public static class JpegDecoder
{
    private const int ColorspaceCmyk = 3, ColorspaceYcck = 4;

    /// <summary>
    /// The decoded image, or null where TurboJPEG cannot convert the colour space to BGR (CMYK, YCCK),
    /// which OpenCV then decodes. A fatal decoder error is refused naming the file.
    /// </summary>
    public static Mat? Decode(string path, int reduction, out string? warning) => Decode(File.ReadAllBytes(path), path, reduction, out warning);

    /// <summary>As above, for a file's bytes held in memory; `path` names them in messages.</summary>
    public static Mat? Decode(byte[] bytes, string path, int reduction, out string? warning)
    {
        warning = null;
        var handle = TurboJpeg.InitDecompress();
        if (handle == IntPtr.Zero) throw new InvalidOperationException("TurboJPEG could not make a decompressor");
        try
        {
            if (TurboJpeg.DecompressHeader(handle, bytes, (nuint)bytes.Length, out var width, out var height, out _, out var colorspace) != 0)
                throw new InputException($"{path}: not a readable image (JPEG header: {TurboJpeg.Message(handle)})");
            if (colorspace is ColorspaceCmyk or ColorspaceYcck) return null;
            int w = (width + reduction - 1) / reduction, h = (height + reduction - 1) / reduction;
            var image = new Mat(h, w, MatType.CV_8UC3);
            try
            {
                int status = TurboJpeg.Decompress(handle, bytes, (nuint)bytes.Length, image.Data, w, (int)image.Step(), h,
                    TurboJpeg.PixelFormatBgr, TurboJpeg.FlagLimitScans);
                if (status != 0 && TurboJpeg.ErrorCode(handle) != TurboJpeg.ErrorWarning)
                    throw new InputException($"{path}: not a readable image (JPEG data: {TurboJpeg.Message(handle)})");
                if (status != 0) warning = $"the JPEG decoder reports: {TurboJpeg.Message(handle)}";
                return image;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        finally
        {
            TurboJpeg.Destroy(handle);
        }
    }
}
