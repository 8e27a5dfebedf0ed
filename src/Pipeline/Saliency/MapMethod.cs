using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>The crops of one image and the classes wanted of each: what a map method works on.</summary>
public sealed record CropBatch(float[] Tensor, int Count, long[][] ClassIndex, int Side, PixelTransform Pixels)
{
    public int Classes => ClassIndex[0].Length;
}

/// <summary>
/// A way to make maps from the gradient model (`run --map`): one map of side x side per crop and class,
/// which the crop layout then averages over the image. A method is one class and one line in
/// <see cref="MapMethods"/>; its name is its CLI name, and its key part enters the map cache's key and
/// the run's fingerprint.
/// </summary>
public abstract class MapMethod
{
    public abstract string Name { get; }

    /// <summary>Whether it needs the model's Grad-CAM output (export-grad --cam).</summary>
    public virtual bool NeedsCam => false;

    /// <summary>The gradient model's output of class maps it reads when it needs one (Grad-CAM's, or Grad-CAM++'s).</summary>
    public virtual string CamOutput => GradientGraphs.Building.GradientModelContract.ClassActivationOutput;

    /// <summary>What it adds to the cache key; empty for the default method, so caches made before methods were classes still match.</summary>
    public virtual string KeyPart => $"\nmap {Name}";

    /// <summary>Its options that change its maps (an occlusion window, RISE's masks), for the run's fingerprint; null when it has none.</summary>
    public virtual string? Settings => null;

    /// <summary>What it runs through the model per crop at this input side, where that is known in advance; null otherwise.</summary>
    public virtual ModelPasses? PassesPerCrop(int side) => null;

    /// <summary>Why it cannot run on a model of this input side (an option larger than the crop), or null.</summary>
    public virtual string? Refusal(int side) => null;

    /// <summary>The maps, index crop * classes + class.</summary>
    public abstract float[][] Maps(GradientRunner runner, CropBatch batch);

    /// <summary>
    /// The maps, and for a method whose attributions should add up to a score difference (Integrated
    /// Gradients) how well they do per crop and class (same index); null for the others.
    /// </summary>
    public virtual (float[][] Maps, Completeness[]? Completeness) MapsAndCompleteness(GradientRunner runner, CropBatch batch) => (Maps(runner, batch), null);

    public override string ToString() => Name;
}

/// <summary>A method whose crop map is a function of one backward pass's outputs for that crop and class.</summary>
public abstract class BackwardMapMethod : MapMethod
{
    /// <summary>One crop's map from its input gradient [3, side, side] and, where the method needs it, its Grad-CAM [h, w].</summary>
    public abstract float[] CropMap(ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side);

    public override ModelPasses? PassesPerCrop(int side) => new(0, 1);

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        var (gradients, cams) = runner.Run(batch.Tensor, batch.Count, batch.ClassIndex, NeedsCam, CamOutput);
        int perClass = 3 * batch.Side * batch.Side;
        int perCam = NeedsCam ? (int)GradientGraphs.Building.Shapes.Product(runner.CamShape!) : 0;
        var maps = new float[batch.Count * batch.Classes][];
        for (int i = 0; i < maps.Length; i++)
            maps[i] = CropMap(gradients.AsSpan(i * perClass, perClass), NeedsCam ? cams.AsSpan(i * perCam, perCam) : default, runner.CamShape, batch.Side);
        return maps;
    }
}
