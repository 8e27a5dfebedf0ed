
namespace Pipeline.Saliency;

/// <summary>The saliency map times the upsampled Grad-CAM, per crop: guided Grad-CAM when the model's rule is guided.</summary>
public sealed class SaliencyTimesCamMethod : BackwardMapMethod
{
    public override string Name => "saliency-x-cam";
    public override bool NeedsCam => true;
    public override string KeyPart => "\nmap SaliencyTimesCam";

    public override float[] CropMap(ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side)
    {
        var upsampled = CamMethod.Upsample(cam, (int)camShape![0], (int)camShape[1], side);
        var map = SaliencyMaps.FromGradient(gradient, 3, side, side);
        for (int i = 0; i < map.Length; i++) map[i] *= upsampled[i];
        return map;
    }
}
