namespace Pipeline.Saliency;

/// <summary>
/// What a map method runs through the model for one crop and its K classes, beyond the forward pass
/// that ranks the classes: images through the forward part alone, and gradient passes (one image's
/// forward and backward for all K classes at once). `Pipeline bench` prints it beside the method's time.
/// </summary>
public sealed record ModelPasses(int Forward, int Gradient)
{
    public ModelPasses Times(int copies) => new(Forward * copies, Gradient * copies);

    public override string ToString() => string.Join(" + ",
        new[] { (Gradient, "gradient"), (Forward, "forward") }.Where(p => p.Item1 > 0).Select(p => $"{p.Item1} {p.Item2}"));
}
