using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Saliency;

namespace Pipeline.Tests;

public class StageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-stages-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saliency_is_the_max_over_channels_of_the_absolute_gradient()
    {
        // 2 channels of a 1x3 image, by hand: max(|1|,|-4|)=4, max(|-2|,|0.5|)=2, max(|0|,|0|)=0.
        float[] gradient = [1, -2, 0, -4, 0.5f, 0];
        Assert.Equal([4f, 2f, 0f], SaliencyMaps.FromGradient(gradient, 2, 1, 3));
    }

    [Theory]
    [InlineData("grey", 1.0)]
    [InlineData("rgba", 1.0)]
    [InlineData("16-bit", 257.0)]
    public void Grey_alpha_and_16_bit_images_decode_to_8_bit_bgr(string kind, double scale)
    {
        var type = kind switch { "grey" => MatType.CV_8UC1, "rgba" => MatType.CV_8UC4, _ => MatType.CV_16UC3 };
        var path = Path.Combine(_dir, $"{kind}.png");
        using (var image = new Mat(5, 7, type, Scalar.All(100 * scale)))
            Cv2.ImWrite(path, image);
        using var decoded = ImageDecoder.Decode(path);
        Assert.Equal(MatType.CV_8UC3, decoded.Type());
        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        Assert.Equal(100, decoded.At<Vec3b>(2, 3).Item1);
    }

    [Fact]
    public void An_unreadable_image_is_refused_with_its_name()
    {
        var path = Path.Combine(_dir, "broken.jpg");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0x00, 0x01]);
        var error = Assert.Throws<InputException>(() => ImageDecoder.Decode(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Pixel_transform_writes_planes_in_rgb_order()
    {
        using var image = new Mat(1, 2, MatType.CV_8UC3, new Scalar(10, 20, 30)); // B, G, R
        var tensor = new float[6];
        // x = (pixel * 0.5 - mean) / std, R first: (15 - 1) / 1, (10 - 2) / 2, (5 - 1) / 4.
        Preprocessing.ToTensor(image, new PixelTransform(true, 0.5f, [1f, 2f, 1f], [1f, 2f, 4f]), tensor);
        Assert.Equal([14f, 14f, 4f, 4f, 1f, 1f], tensor);
    }
}
