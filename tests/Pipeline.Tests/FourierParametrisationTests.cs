using System.Numerics;
using Pipeline.Cards;
using Pipeline.ClassModels;

namespace Pipeline.Tests;

/// <summary>
/// The Fourier parametrisation of class models: its transform against the DFT's definition, a single
/// coefficient against the hand-derived cosine image, and its gradient against finite differences
/// of a linear score (whose gradient with respect to the model input is its weights).
/// </summary>
public class FourierParametrisationTests
{
    // A BGR card with a non-trivial normalisation, so that the channel order and the card's chain rule are exercised.
    private static readonly ModelCard Card = new()
    {
        InputSize = 5, ShorterSide = 5, ChannelOrder = "BGR", Scale = 1f / 255,
        Mean = [0.4f, 0.5f, 0.3f], Std = [0.2f, 0.25f, 0.3f], Classes = [new("n1", "one")],
    };

    [Fact]
    public void The_transform_is_the_unitary_dft_and_its_inverse_undoes_it()
    {
        const int size = 8;
        var random = new Random(5);
        var data = Enumerable.Range(0, size * size).Select(_ => new Complex(random.NextDouble() - 0.5, random.NextDouble() - 0.5)).ToArray();
        var transformed = (Complex[])data.Clone();
        SymmetricFft2D.Forward(transformed, size);
        for (int ky = 0; ky < size; ky++)
        for (int kx = 0; kx < size; kx++)
        {
            // The definition, summed directly.
            Complex sum = 0;
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                sum += data[y * size + x] * Complex.Exp(new Complex(0, -2 * Math.PI * (ky * y + kx * x) / size));
            Assert.True(Complex.Abs(sum / size - transformed[ky * size + kx]) < 1e-12, $"frequency ({ky}, {kx}): {transformed[ky * size + kx]} vs {sum / size}");
        }
        SymmetricFft2D.Inverse(transformed, size);
        for (int i = 0; i < data.Length; i++) Assert.True(Complex.Abs(transformed[i] - data[i]) < 1e-12, $"value {i} did not come back");
        Assert.Throws<ArgumentException>(() => SymmetricFft2D.Forward(new Complex[36], 6));
    }

    [Fact]
    public void One_coefficient_gives_a_cosine_in_its_colour_direction()
    {
        var parametrisation = new FourierParametrisation(Card);
        int grid = parametrisation.Grid;
        Assert.Equal(8, grid);
        // The weight of frequency (0, 1/8): 1 / (1/8), over the root mean square of 1 / max(|f|, 1/8) on the 8x8 grid.
        double squares = 0;
        for (int y = 0; y < grid; y++)
        for (int x = 0; x < grid; x++)
        {
            double fy = (y <= grid / 2 ? y : y - grid) / 8.0, fx = (x <= grid / 2 ? x : x - grid) / 8.0;
            squares += Math.Pow(1 / Math.Max(Math.Sqrt(fy * fy + fx * fx), 1 / 8.0), 2);
        }
        double weight = 8 / Math.Sqrt(squares / (grid * grid));
        // Channel k = 1, frequency (0, 1): real part 0.7, imaginary part 0.2.
        var parameters = new double[parametrisation.ParameterCount];
        parameters[2 * (1 * grid * grid + 1)] = 0.7;
        parameters[2 * (1 * grid * grid + 1) + 1] = 0.2;
        var image = parametrisation.ToImage(parameters);
        for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++)
        {
            // Re(weight (0.7 + 0.2i) e^(2 pi i x / 8)) / 8: the unitary inverse divides by the grid's side.
            double angle = 2 * Math.PI * x / 8, u = weight * (0.7 * Math.Cos(angle) - 0.2 * Math.Sin(angle)) / 8;
            for (int rgb = 0; rgb < 3; rgb++)
            {
                double pixel = 255 / (1 + Math.Exp(-ColourDecorrelation.Matrix[rgb, 1] * u));
                int c = 2 - rgb; // BGR
                double expected = (pixel / 255 - Card.Mean[c]) / Card.Std[c];
                Assert.True(Math.Abs(image.Input[c * 25 + y * 5 + x] - expected) < 1e-6, $"({y}, {x}) colour {rgb}: {image.Input[c * 25 + y * 5 + x]} vs {expected}");
            }
        }
    }

    [Fact]
    public void The_gradient_of_a_linear_score_matches_finite_differences()
    {
        var parametrisation = new FourierParametrisation(Card);
        var random = new Random(11);
        // Large enough coefficients that the sigmoid is well away from linear.
        var parameters = parametrisation.RandomParameters(random, 0.3);
        var weights = Enumerable.Range(0, 3 * 25).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        double Score(double[] p) => parametrisation.ToImage(p).Input.Select((x, i) => x * weights[i]).Sum();
        var gradient = parametrisation.Gradient(parametrisation.ToImage(parameters), weights);
        double largest = gradient.Max(Math.Abs);
        Assert.True(largest > 1e-3, "the gradient is all but zero: nothing is tested");
        const double h = 1e-5;
        for (int i = 0; i < parameters.Length; i++)
        {
            var up = (double[])parameters.Clone();
            var down = (double[])parameters.Clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (Score(up) - Score(down)) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) < 1e-7 + 1e-6 * largest, $"parameter {i}: chain rule {gradient[i]:G9}, finite difference {numeric:G9}");
        }
    }
}
