namespace GradientGraphs.Building;

/// <summary>
/// Which backward signal the gradient model computes: the gradient, or one of the two methods that
/// pass the signal through rectifiers differently. Only rectifying ops (Relu, the lower bound of
/// Clip, LeakyRelu) read it; every other op uses its exact derivative. The CLI's --rule and the
/// metadata key gradient.rule name it.
/// </summary>
public enum AttributionMethod
{
    /// <summary>The true gradient: dX = dY * [X &gt; 0].</summary>
    Gradient,
    /// <summary>
    /// DeconvNet: the rectifier applied to the backward signal, dX = max(dY, 0) (Simonyan, Vedaldi
    /// &amp; Zisserman 2014, "Deep Inside Convolutional Networks", Sect. 4).
    /// </summary>
    DeconvNet,
    /// <summary>Guided backpropagation: both, dX = max(dY, 0) * [X &gt; 0] (Springenberg et al. 2015, "Striving for Simplicity").</summary>
    Guided,
}
