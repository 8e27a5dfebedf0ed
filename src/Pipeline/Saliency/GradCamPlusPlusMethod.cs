using GradientGraphs.Building;

namespace Pipeline.Saliency;

/// <summary>
/// Grad-CAM++ of the Grad-CAM layer (export-grad --cam's class_activation_plus_plus, computed in the
/// gradient model: <see cref="ClassActivationMap.EmitPlusPlus"/>), resized bilinearly to the crop as Grad-CAM is.
/// </summary>
public sealed class GradCamPlusPlusMethod : BackwardMapMethod
{
    public override string Name => "cam-plus-plus";
    public override bool NeedsCam => true;
    public override string CamOutput => GradientModelContract.ClassActivationPlusPlusOutput;

    public override float[] CropMap(ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side) =>
        CamMethod.Upsample(cam, (int)camShape![0], (int)camShape[1], side);
}
