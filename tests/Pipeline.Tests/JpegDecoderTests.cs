using OpenCvSharp;
using Pipeline.Images;

namespace Pipeline.Tests;

/// <summary>
/// The JPEG decoder gives OpenCV's own pixels (maps and boxes stay as they were) and keeps the
/// decoder's complaints for the image's row.
/// </summary>
public class JpegDecoderTests
{
    public static TheoryData<string, int> Images()
    {
        var data = new TheoryData<string, int>();
        var dev = Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev"), "*.JPEG", SearchOption.AllDirectories).Order().Take(6);
        var photos = Directory.GetFiles(CommandLine.Shared("data", "photos"), "*.jpg").Order();
        foreach (var path in dev.Concat(photos))
            foreach (var reduction in new[] { 1, 2, 4, 8 })
                data.Add(path, reduction);
        return data;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Pixels_equal_OpenCVs_at_every_scale_down(string path, int reduction)
    {
        var mode = reduction switch
        {
            8 => ImreadModes.ReducedColor8 | ImreadModes.IgnoreOrientation,
            4 => ImreadModes.ReducedColor4 | ImreadModes.IgnoreOrientation,
            2 => ImreadModes.ReducedColor2 | ImreadModes.IgnoreOrientation,
            _ => ImreadModes.Color | ImreadModes.IgnoreOrientation,
        };
        using var expected = Cv2.ImRead(path, mode);
        using var decoded = JpegDecoder.Decode(path, reduction, out var warning);

        Assert.NotNull(decoded);
        Assert.Null(warning);
        Assert.Equal(expected.Size(), decoded!.Size());
        Assert.Equal(expected.Type(), decoded.Type());
        using var difference = new Mat();
        Cv2.Absdiff(expected, decoded, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
    }

    [Fact]
    public void A_cut_file_decodes_with_the_decoders_warning()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("pipeline-jpeg-").FullName, "cut.jpg");
        var bytes = File.ReadAllBytes(CommandLine.Shared("data", "photos", "parrot.jpg"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        using var decoded = JpegDecoder.Decode(path, 1, out var warning);

        Assert.NotNull(decoded);
        Assert.Equal("the JPEG decoder reports: Premature end of JPEG file", warning);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
