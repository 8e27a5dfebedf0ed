namespace Pipeline.Cards;

/// <summary>How a model wants its pixels: x = (pixel * Scale - Mean[c]) / Std[c], channels RGB or BGR, NCHW.</summary>
public sealed record PixelTransform(bool Rgb, float Scale, float[] Mean, float[] Std)
{
    public float Apply(byte pixel, int channel) => (pixel * Scale - Mean[channel]) / Std[channel];
}
