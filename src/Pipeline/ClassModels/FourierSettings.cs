namespace Pipeline.ClassModels;

/// <summary>Settings of class models in the Fourier parametrisation with transformation robustness (docs/class_models.md chose the defaults).</summary>
public sealed record FourierSettings
{
    public int Steps { get; init; } = 256;
    /// <summary>Adam's learning rate, in units of the (unit-variance) Fourier coefficients.</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>Each step the image is shifted by up to this many pixels each way before the model sees it.</summary>
    public int Shift { get; init; } = 8;
    /// <summary>... and scaled by a factor within 1 +- ScaleRange ...</summary>
    public double ScaleRange { get; init; } = 0.1;
    /// <summary>... and rotated by up to this many degrees either way.</summary>
    public double Degrees { get; init; } = 10;
    /// <summary>Standard deviation of the starting coefficients: a near-grey image.</summary>
    public double InitialSd { get; init; } = 0.01;
    /// <summary>The class scores of the untransformed images are recorded every this many steps (a forward pass each).</summary>
    public int RecordEvery { get; init; } = 16;
    public int Seed { get; init; } = 1;
}
