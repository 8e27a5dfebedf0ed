using OpenCvSharp;
using Pipeline.Cards;
using Pipeline.Inference;

namespace Pipeline.ClassModels;

/// <summary>Settings of class model visualisation.</summary>
public sealed record VisualiseSettings
{
    public int Steps { get; init; } = 200;
    /// <summary>The first step's mean change of a pixel, in model input units (the learning rate then adapts).</summary>
    public double StepSize { get; init; } = 0.1;
    /// <summary>lambda of the L2 penalty lambda * ||I||^2.</summary>
    public double L2 { get; init; } = 0.01;
    /// <summary>Each step shifts the image by up to this many pixels (and back): a common regulariser of later work; 0 is the paper's plain ascent.</summary>
    public int Jitter { get; init; }
    /// <summary>Every BlurEvery steps the image is blurred with a Gaussian of BlurSigma pixels; 0 is never.</summary>
    public int BlurEvery { get; init; }
    public double BlurSigma { get; init; } = 0.5;
    public int Seed { get; init; } = 1;
}

/// <summary>One class's visualisation: the image in model input units [3, H, W] and the objective and class score after each step (the plain ascent) or each recorded step (<see cref="FourierClassModels"/>: the score alone, so both).</summary>
public sealed record ClassModel(int ClassIndex, float[] Image, double[] Objective, double[] Score);

/// <summary>
/// Class model visualisation (Simonyan, Vedaldi &amp; Zisserman 2014, Sect. 2): the image I that
/// maximises S_c(I) - lambda ||I||^2, by gradient ascent from the zero image, S_c the unnormalised
/// class score. Several classes run as one batch: each image in the batch asks for its own class.
/// The gradient comes from the gradient model itself (input_grad); the penalty's gradient is 2 lambda I.
/// The plain ascent (the paper's) starts with the learning rate StepSize over the first gradient's
/// mean magnitude, so one step size serves any model's scale; a step that lowers the objective is
/// undone with the rate halved, so the objective never falls. With jitter or blur (regularisers of
/// later work, which change the image between steps) every step is taken, StepSize over that step's
/// mean gradient magnitude.
/// </summary>
public sealed class ClassModelVisualiser(GradientRunner runner, ModelCard card)
{
    public IReadOnlyList<ClassModel> Run(IReadOnlyList<int> classes, VisualiseSettings settings, Action<int>? onStep = null)
    {
        int n = classes.Count, side = card.InputSize, perImage = 3 * side * side;
        var x = new float[n * perImage];
        var classIndex = classes.Select(c => new[] { (long)(c + card.ClassOffset) }).ToArray();
        var objective = Enumerable.Range(0, n).Select(_ => new double[settings.Steps + 1]).ToArray();
        var score = Enumerable.Range(0, n).Select(_ => new double[settings.Steps + 1]).ToArray();
        var random = new Random(settings.Seed);
        // Per image: the learning rate, StepSize over the first gradient's mean magnitude; in the plain
        // ascent a step that lowers the objective is undone and the rate halved, an accepted one grows it by a tenth.
        var rate = new double[n];
        bool monotone = settings.Jitter == 0 && settings.BlurEvery == 0;
        Record(0);
        for (int step = 1; step <= settings.Steps; step++)
        {
            var (dx, dy) = settings.Jitter > 0 ? (random.Next(-settings.Jitter, settings.Jitter + 1), random.Next(-settings.Jitter, settings.Jitter + 1)) : (0, 0);
            var shifted = Roll(x, n, side, dx, dy);
            var gradient = Roll(runner.Gradients(shifted, n, classIndex), n, side, -dx, -dy);
            var before = (float[])x.Clone();
            for (int b = 0; b < n; b++)
            {
                var g = gradient.AsSpan(b * perImage, perImage);
                var image = x.AsSpan(b * perImage, perImage);
                if (step == 1 || !monotone)
                {
                    double magnitude = 0;
                    for (int i = 0; i < perImage; i++) magnitude += Math.Abs(g[i]);
                    rate[b] = settings.StepSize / Math.Max(1e-12, magnitude / perImage);
                }
                for (int i = 0; i < perImage; i++) image[i] += (float)(rate[b] * (g[i] - 2 * settings.L2 * image[i]));
            }
            Record(step);
            for (int b = 0; b < n; b++)
            {
                if (!monotone) continue;
                if (objective[b][step] >= objective[b][step - 1]) { rate[b] *= 1.1; continue; }
                before.AsSpan(b * perImage, perImage).CopyTo(x.AsSpan(b * perImage, perImage));
                (objective[b][step], score[b][step]) = (objective[b][step - 1], score[b][step - 1]);
                rate[b] *= 0.5;
            }
            if (settings.BlurEvery > 0 && step % settings.BlurEvery == 0)
            {
                Blur(x, n, side, settings.BlurSigma);
                Record(step);
            }
            onStep?.Invoke(step);
        }
        return classes.Select((c, b) => new ClassModel(c, x.AsSpan(b * perImage, perImage).ToArray(), objective[b], score[b])).ToList();

        void Record(int step)
        {
            var scores = runner.Scores(x, n);
            int perScores = scores.Length / n;
            for (int b = 0; b < n; b++)
            {
                double s = scores[b * perScores + classes[b] + card.ClassOffset], norm = 0;
                for (int i = b * perImage; i < (b + 1) * perImage; i++) norm += (double)x[i] * x[i];
                score[b][step] = s;
                objective[b][step] = s - settings.L2 * norm;
            }
        }
    }

    /// <summary>Each image of the batch shifted by (dx, dy) pixels, wrapping around.</summary>
    private static float[] Roll(float[] batch, int n, int side, int dx, int dy)
    {
        if (dx == 0 && dy == 0) return batch;
        var result = new float[batch.Length];
        int plane = side * side;
        for (int p = 0; p < batch.Length / plane; p++)
        for (int y = 0; y < side; y++)
        for (int i = 0; i < side; i++)
            result[p * plane + ((y + dy + side) % side) * side + (i + dx + side) % side] = batch[p * plane + y * side + i];
        return result;
    }

    private static void Blur(float[] batch, int n, int side, double sigma)
    {
        int plane = side * side;
        for (int p = 0; p < batch.Length / plane; p++)
        {
            using var m = new Mat(side, side, MatType.CV_32FC1);
            m.SetArray(batch.AsSpan(p * plane, plane).ToArray());
            using var blurred = new Mat();
            Cv2.GaussianBlur(m, blurred, new Size(0, 0), sigma);
            blurred.GetArray(out float[] values);
            values.CopyTo(batch, p * plane);
        }
    }

    /// <summary>
    /// The image for display: model input back to pixels (x * std + mean) / scale, the mean image
    /// added back as the paper shows it, then stretched so its 0.5% and 99.5% quantiles span 0-255
    /// (the optimised image's deviation from the mean is small). Without <paramref name="stretch"/>
    /// the pixels are shown as they are, clamped to 0-255 (the Fourier images are in range by construction).
    /// </summary>
    public static Mat ToBgr(float[] image, ModelCard card, bool stretch = true)
    {
        int side = card.InputSize, plane = side * side;
        var pixels = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < plane; i++)
            pixels[c * plane + i] = (image[c * plane + i] * card.Std[c] + card.Mean[c]) / card.Scale;
        var sorted = (float[])pixels.Clone();
        Array.Sort(sorted);
        float lo = stretch ? sorted[(int)(0.005 * (sorted.Length - 1))] : 0, hi = stretch ? sorted[(int)(0.995 * (sorted.Length - 1))] : 255;
        var bgr = new Mat(side, side, MatType.CV_8UC3);
        for (int y = 0; y < side; y++)
        for (int i = 0; i < side; i++)
        {
            byte V(int c) => (byte)Math.Clamp(Math.Round(255.0 * (pixels[c * plane + y * side + i] - lo) / Math.Max(1e-6, hi - lo)), 0, 255);
            // Channel 0 of the input is R for an RGB card.
            bgr.Set(y, i, card.ChannelOrder == "RGB" ? new Vec3b(V(2), V(1), V(0)) : new Vec3b(V(0), V(1), V(2)));
        }
        return bgr;
    }
}
