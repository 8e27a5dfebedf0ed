using Pipeline.Inference;

namespace Pipeline.Saliency;

/// <summary>
/// Occlusion (Zeiler &amp; Fergus 2014, Sect. 4.2), forward passes only: a square window of the
/// model's zero (0 in its input units: the card's mean pixel where the card subtracts one, black where
/// it subtracts none) slides over the crop; each pixel's map value is the class probability's drop,
/// p(crop) - p(occluded crop), averaged over the window positions that cover it. Positions start at 0
/// every `Stride` pixels, and a last one at side - window where the stride does not land there, so
/// every pixel is covered. Cost: one forward pass per position and crop, all classes at once.
/// </summary>
public sealed class OcclusionMethod(int window = OcclusionMethod.DefaultWindow, int stride = OcclusionMethod.DefaultWindow / 2) : MapMethod
{
    public const int DefaultWindow = 32;

    public int Window => window;
    public int Stride => stride;
    public override string Name => "occlusion";
    public override string? Settings => $"window {window} stride {stride}";
    public override string KeyPart => $"\nmap {Name} {Settings}";

    public override string? Refusal(int side) =>
        window > side ? $"--occlusion-window {window}: at most the model's input side, {side}" : null;

    // The clean crop and one occluded copy per window position.
    public override ModelPasses? PassesPerCrop(int side) => Refusal(side) == null && Positions(side, window, stride) is var along ? new(1 + along.Length * along.Length, 0) : null;

    /// <summary>The window's top-left offsets along one side.</summary>
    public static int[] Positions(int side, int window, int stride)
    {
        var positions = new List<int>();
        for (int p = 0; p + window <= side; p += stride) positions.Add(p);
        if (positions[^1] != side - window) positions.Add(side - window);
        return [.. positions];
    }

    public override float[][] Maps(GradientRunner runner, CropBatch batch)
    {
        int side = batch.Side, plane = side * side, size = 3 * plane;
        var offsets = Positions(side, window, stride);
        var windows = offsets.SelectMany(y => offsets.Select(x => (x, y))).ToArray();
        // How many windows cover each pixel: the same for every crop.
        var cover = new int[plane];
        foreach (var (x, y) in windows)
            for (int r = y; r < y + window; r++)
            for (int c = x; c < x + window; c++) cover[r * side + c]++;

        var maps = new float[batch.Count * batch.Classes][];
        for (int crop = 0; crop < batch.Count; crop++)
        {
            var image = batch.Tensor.AsMemory(crop * size, size);
            var clean = ClassProbabilities.Of(runner, 1, (_, span) => image.Span.CopyTo(span))[0];
            var occluded = ClassProbabilities.Of(runner, windows.Length, (w, span) =>
            {
                image.Span.CopyTo(span);
                var (x, y) = windows[w];
                for (int ch = 0; ch < 3; ch++)
                for (int r = y; r < y + window; r++) span.Slice(ch * plane + r * side + x, window).Clear();
            });
            var classes = batch.ClassIndex[crop];
            for (int k = 0; k < classes.Length; k++)
            {
                var sum = new double[plane];
                int cls = (int)classes[k];
                for (int w = 0; w < windows.Length; w++)
                {
                    double drop = clean[cls] - occluded[w][cls];
                    var (x, y) = windows[w];
                    for (int r = y; r < y + window; r++)
                    for (int c = x; c < x + window; c++) sum[r * side + c] += drop;
                }
                maps[crop * batch.Classes + k] = sum.Select((v, i) => (float)(v / cover[i])).ToArray();
            }
        }
        return maps;
    }
}
