using OpenCvSharp;

namespace Pipeline.Stages;

/// <summary>Which map a run localises from (`run --map`).</summary>
public enum MapKind
{
    /// <summary>The input-gradient saliency map of the model's rule (gradient, deconvnet or guided).</summary>
    Saliency,
    /// <summary>Grad-CAM of the last spatial feature layer, upsampled to the crop (export-grad --cam).</summary>
    Cam,
    /// <summary>Their product per crop: guided Grad-CAM when the model's rule is guided.</summary>
    SaliencyTimesCam,
}

/// <summary>The CLI's names of the map kinds.</summary>
public static class MapKinds
{
    private static readonly Dictionary<string, MapKind> Names = new()
    {
        ["saliency"] = MapKind.Saliency, ["cam"] = MapKind.Cam, ["saliency-x-cam"] = MapKind.SaliencyTimesCam,
    };

    public static MapKind Parse(string name) => Names.TryGetValue(name, out var kind) ? kind
        : throw new UsageException($"--map '{name}': expected {string.Join(", ", Names.Keys)}");

    public static string Name(MapKind kind) => Names.First(p => p.Value == kind).Key;
}

/// <summary>One crop's map of the chosen kind from the gradient model's outputs for one crop and class.</summary>
public static class CropMaps
{
    public static float[] For(MapKind kind, ReadOnlySpan<float> gradient, ReadOnlySpan<float> cam, long[]? camShape, int side)
    {
        if (kind == MapKind.Saliency) return SaliencyMaps.FromGradient(gradient, 3, side, side);
        var upsampled = Upsample(cam, (int)camShape![0], (int)camShape[1], side);
        if (kind == MapKind.Cam) return upsampled;
        var map = SaliencyMaps.FromGradient(gradient, 3, side, side);
        for (int i = 0; i < map.Length; i++) map[i] *= upsampled[i];
        return map;
    }

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
