namespace GradientGraphs.Building;

/// <summary>A model the builder cannot turn into a correct gradient model; the message says why.</summary>
public class GraphException(string message) : Exception(message);

/// <summary>Ops on the path from the image to the score that have no rule, or attributes a rule refuses.</summary>
public sealed class UnsupportedOpsException(IReadOnlyList<(string OpType, string Node, string Reason)> problems)
    : GraphException(Describe(problems))
{
    public IReadOnlyList<(string OpType, string Node, string Reason)> Problems { get; } = problems;

    private static string Describe(IReadOnlyList<(string OpType, string Node, string Reason)> problems) =>
        "cannot differentiate this model; nothing was written. " +
        string.Join("; ", problems.GroupBy(p => p.OpType).Select(g =>
            $"{g.Key} ({g.First().Reason}): {string.Join(", ", g.Select(p => p.Node).Distinct())}"));
}
