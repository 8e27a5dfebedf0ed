using OpenCvSharp;
using Pipeline.Cli;

namespace Pipeline.Stages;

/// <summary>Stage 1: a file to an 8-bit, 3-channel BGR image (grey, alpha and 16-bit converted).</summary>
public static class ImageDecoder
{
    public static Mat Decode(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        var raw = Cv2.ImRead(path, ImreadModes.Unchanged);
        if (raw.Empty()) throw new InputException($"{path}: not a readable image (OpenCV cannot decode it)");
        using (raw)
        {
            using var eightBit = raw.Depth() == MatType.CV_8U ? raw.Clone() : To8Bit(raw);
            var bgr = new Mat();
            switch (eightBit.Channels())
            {
                case 1: Cv2.CvtColor(eightBit, bgr, ColorConversionCodes.GRAY2BGR); break;
                case 3: eightBit.CopyTo(bgr); break;
                case 4: Cv2.CvtColor(eightBit, bgr, ColorConversionCodes.BGRA2BGR); break;
                default: throw new InputException($"{path}: {eightBit.Channels()} channels are not supported");
            }
            return bgr;
        }
    }

    private static Mat To8Bit(Mat image)
    {
        double scale = image.Depth() == MatType.CV_16U ? 1.0 / 257 : image.Depth() == MatType.CV_32F || image.Depth() == MatType.CV_64F ? 255 : 1;
        var result = new Mat();
        image.ConvertTo(result, MatType.CV_8U, scale);
        return result;
    }
}
