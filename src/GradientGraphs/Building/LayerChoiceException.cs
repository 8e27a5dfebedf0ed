namespace GradientGraphs.Building;

/// <summary>A layer named by the caller (--cam-layer) that cannot be used: the caller's mistake, not the model's.</summary>
public sealed class LayerChoiceException(string message) : GraphException(message);
