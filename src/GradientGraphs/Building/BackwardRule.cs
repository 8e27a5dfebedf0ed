namespace GradientGraphs.Building;

/// <summary>
/// How a rectifier passes the backward signal (METHOD.md section 4). Only rectifying ops
/// (Relu, the lower bound of Clip, LeakyRelu) read this; every other op uses its exact derivative.
/// </summary>
public enum BackwardRule
{
    /// <summary>The true gradient: dX = dY * [X &gt; 0].</summary>
    Gradient,
    /// <summary>DeconvNet: the rectifier applied to the backward signal, dX = max(dY, 0).</summary>
    DeconvNet,
    /// <summary>Guided backpropagation: both, dX = max(dY, 0) * [X &gt; 0].</summary>
    Guided,
}
