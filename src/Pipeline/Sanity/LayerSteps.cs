namespace Pipeline.Sanity;

/// <summary>One step of the check: the layers it randomises (a block, or one layer), named for the table and the figure.</summary>
public sealed record LayerStep(string Label, IReadOnlyList<WeightedLayer> Layers);

/// <summary>
/// The steps, from the output to the input: every layer alone, or blocks: the output layer alone (the
/// logits, the paper's first column), then the other layers in consecutive groups of near-equal size.
/// </summary>
public static class LayerSteps
{
    public static IReadOnlyList<LayerStep> Every(IReadOnlyList<WeightedLayer> layers) =>
        layers.Select(l => new LayerStep(l.Name, [l])).ToList();

    public static IReadOnlyList<LayerStep> Blocks(IReadOnlyList<WeightedLayer> layers, int blocks)
    {
        if (blocks >= layers.Count) return Every(layers);
        var steps = new List<LayerStep> { new(layers[0].Name, [layers[0]]) };
        int rest = layers.Count - 1, groups = blocks - 1;
        for (int g = 0, first = 1; g < groups; g++)
        {
            int size = rest / groups + (g < rest % groups ? 1 : 0);
            var group = layers.Skip(first).Take(size).ToList();
            steps.Add(new LayerStep(group.Count == 1 ? group[0].Name : $"{group[0].Name}..{group[^1].Name}", group));
            first += size;
        }
        return steps;
    }
}
