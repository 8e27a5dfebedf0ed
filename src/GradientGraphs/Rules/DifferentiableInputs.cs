namespace GradientGraphs.Rules;

/// <summary>Which inputs of a node a rule gives a gradient: the first, some, or every input (Sum, Concat).</summary>
public sealed class DifferentiableInputs
{
    /// <summary>The inputs by index; null for every input.</summary>
    private readonly int[]? _inputs;

    private DifferentiableInputs(int[]? inputs) => _inputs = inputs;

    public static DifferentiableInputs First { get; } = new([0]);
    public static DifferentiableInputs Every { get; } = new(null);
    public static DifferentiableInputs Only(params int[] inputs) => new(inputs);

    public bool Contains(int input) => _inputs == null || _inputs.Contains(input);

    public override string ToString() => _inputs switch
    {
        null => "every input",
        [var only] => $"input {only}",
        _ => $"inputs {string.Join(", ", _inputs[..^1])} and {_inputs[^1]}",
    };
}
