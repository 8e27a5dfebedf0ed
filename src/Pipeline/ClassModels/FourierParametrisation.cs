using System.Numerics;
using Pipeline.Cards;

namespace Pipeline.ClassModels;

/// <summary>
/// An image as scaled Fourier coefficients (Olah, Mordvintsev &amp; Schubert, "Feature Visualization",
/// Distill 2017): per decorrelated colour channel k a complex spectrum A_k on a grid of Grid x Grid
/// frequencies (the smallest power of two not below the model's side), and
///   u_k = Re(InverseFft(w . A_k)) cropped to the model's side,  z = M u (RGB logits, <see cref="ColourDecorrelation"/>),
///   pixel = 255 sigmoid(z),  model input x = (pixel * scale - mean) / std in the card's channel order.
/// w_f = 1 / max(|f|, 1/Grid) (|f| in cycles per pixel), divided by its root mean square so that
/// unit-variance coefficients give a unit-variance image: every frequency's coefficient then moves
/// at the same rate under a scale-free optimiser while the image keeps the 1/f spectrum of natural
/// images, and the ascent stops feeding the high frequencies that plain ascent turns into texture.
/// The sigmoid keeps every pixel inside the pixel range. <see cref="Gradient"/> is the chain rule
/// back through each step; the adjoint of the real part of a unitary inverse FFT is the forward FFT.
/// Parameters: per channel k and frequency f the real and imaginary part, at 2 (k Grid^2 + f) and the next.
/// </summary>
public sealed class FourierParametrisation
{
    private readonly ModelCard _card;
    private readonly double[] _weight;

    public int Side { get; }
    public int Grid { get; }
    public int ParameterCount => 3 * Grid * Grid * 2;

    public FourierParametrisation(ModelCard card)
    {
        _card = card;
        Side = card.InputSize;
        Grid = 1;
        while (Grid < Side) Grid *= 2;
        _weight = new double[Grid * Grid];
        double Frequency(int i) => (i <= Grid / 2 ? i : i - Grid) / (double)Grid;
        for (int y = 0; y < Grid; y++)
        for (int x = 0; x < Grid; x++)
            _weight[y * Grid + x] = 1 / Math.Max(Math.Sqrt(Frequency(y) * Frequency(y) + Frequency(x) * Frequency(x)), 1.0 / Grid);
        double rms = Math.Sqrt(_weight.Sum(v => v * v) / _weight.Length);
        for (int i = 0; i < _weight.Length; i++) _weight[i] /= rms;
    }

    /// <summary>Coefficients drawn from a normal distribution of standard deviation <paramref name="sd"/>: a near-grey start with a little structure.</summary>
    public double[] RandomParameters(Random random, double sd)
    {
        var p = new double[ParameterCount];
        for (int i = 0; i < p.Length; i++)
            p[i] = sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return p;
    }

    /// <summary>One image: the model input [3, Side, Side] and the sigmoid values its gradient needs.</summary>
    public sealed record Image(double[] Input, double[] Sigmoid);

    public Image ToImage(ReadOnlySpan<double> parameters)
    {
        Check(parameters.Length, ParameterCount, "parameters");
        int plane = Side * Side;
        var u = new double[3 * plane];
        var spectrum = new Complex[Grid * Grid];
        for (int k = 0; k < 3; k++)
        {
            for (int f = 0; f < spectrum.Length; f++)
                spectrum[f] = _weight[f] * new Complex(parameters[2 * (k * spectrum.Length + f)], parameters[2 * (k * spectrum.Length + f) + 1]);
            SymmetricFft2D.Inverse(spectrum, Grid);
            for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                u[k * plane + y * Side + x] = spectrum[y * Grid + x].Real;
        }
        var input = new double[3 * plane];
        var sigmoid = new double[3 * plane];
        for (int rgb = 0; rgb < 3; rgb++)
        {
            int c = ModelChannel(rgb);
            for (int i = 0; i < plane; i++)
            {
                double z = 0;
                for (int k = 0; k < 3; k++) z += ColourDecorrelation.Matrix[rgb, k] * u[k * plane + i];
                double s = 1 / (1 + Math.Exp(-z));
                sigmoid[rgb * plane + i] = s;
                input[c * plane + i] = (255 * s * _card.Scale - _card.Mean[c]) / _card.Std[c];
            }
        }
        return new Image(input, sigmoid);
    }

    /// <summary>d L / d parameters, given d L / d input of <paramref name="image"/> (made from the same parameters).</summary>
    public double[] Gradient(Image image, ReadOnlySpan<float> inputGradient)
    {
        int plane = Side * Side;
        Check(inputGradient.Length, 3 * plane, "input gradient");
        // Back through the card's normalisation and the sigmoid to the RGB logits z.
        var dz = new double[3 * plane];
        for (int rgb = 0; rgb < 3; rgb++)
        {
            int c = ModelChannel(rgb);
            double dPixel = _card.Scale / _card.Std[c];
            for (int i = 0; i < plane; i++)
            {
                double s = image.Sigmoid[rgb * plane + i];
                dz[rgb * plane + i] = inputGradient[c * plane + i] * dPixel * 255 * s * (1 - s);
            }
        }
        var gradient = new double[ParameterCount];
        var spectrum = new Complex[Grid * Grid];
        for (int k = 0; k < 3; k++)
        {
            // du_k = M^T dz, placed in the grid (the crop's adjoint pads with zeros), then the FFT's adjoint.
            Array.Clear(spectrum);
            for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int i = y * Side + x;
                double du = 0;
                for (int rgb = 0; rgb < 3; rgb++) du += ColourDecorrelation.Matrix[rgb, k] * dz[rgb * plane + i];
                spectrum[y * Grid + x] = du;
            }
            SymmetricFft2D.Forward(spectrum, Grid);
            for (int f = 0; f < spectrum.Length; f++)
            {
                gradient[2 * (k * spectrum.Length + f)] = _weight[f] * spectrum[f].Real;
                gradient[2 * (k * spectrum.Length + f) + 1] = _weight[f] * spectrum[f].Imaginary;
            }
        }
        return gradient;
    }

    /// <summary>The model's input channel holding colour <paramref name="rgb"/> (0 R, 1 G, 2 B).</summary>
    private int ModelChannel(int rgb) => _card.ChannelOrder == "RGB" ? rgb : 2 - rgb;

    private static void Check(int actual, int expected, string what)
    {
        if (actual != expected) throw new ArgumentException($"{what}: {actual} values, expected {expected}");
    }
}
