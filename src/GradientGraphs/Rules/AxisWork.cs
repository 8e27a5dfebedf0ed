namespace GradientGraphs.Rules;

/// <summary>
/// What a node does along some axes of its input, as its rule declares it: Action names the work
/// ("normalises along", "pads"), Axes the axes (non-negative) it does it on.
/// </summary>
public sealed record AxisWork(string Action, IReadOnlyCollection<int> Axes)
{
    public static AxisWork On(string action, params IEnumerable<int> axes) => new(action, axes.ToArray());
}
