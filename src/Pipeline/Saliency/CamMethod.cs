using OpenCvSharp;

namespace Pipeline.Saliency;

/// <summary>Grad-CAM of the last spatial feature layer (export-grad --cam), resized bilinearly to the crop.</summary>
public sealed class CamMethod : BackwardMapMethod
{
    public override string Name => "cam";
    public override bool NeedsCam => true;
    public override string KeyPart => "\nmap Cam";

    public override float[] CropMap(ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side) =>
        Upsample(cam, (int)camShape![0], (int)camShape[1], side);

    /// <summary>The h x w class activation map resized bilinearly to side x side (Grad-CAM's upsampling).</summary>
    public static float[] Upsample(ReadOnlySpan<float> cam, int height, int width, int side)
    {
        using var small = new Mat(height, width, MatType.CV_32FC1);
        small.SetArray(cam.ToArray());
        using var large = small.Resize(new Size(side, side), 0, 0, InterpolationFlags.Linear);
        large.GetArray(out float[] result);
        return result;
    }
}
