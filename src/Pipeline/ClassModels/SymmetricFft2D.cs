using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Pipeline.ClassModels;

/// <summary>
/// The two-dimensional discrete Fourier transform of a square complex array (row by row), scaled
/// by 1/size each way so that forward and inverse are each other's adjoint and inverse (unitary):
/// Forward(a)[k] = 1/size sum_n a[n] e^(-2 pi i k.n / size), Inverse the same with +i.
/// Rows then columns of MathNet's one-dimensional transform (its managed provider has no 2-D one).
/// The size is a power of two: other lengths take MathNet's Bluestein path, far slower.
/// </summary>
public static class SymmetricFft2D
{
    public static void Forward(Complex[] data, int size) => Transform(data, size, forward: true);

    public static void Inverse(Complex[] data, int size) => Transform(data, size, forward: false);

    public static bool IsPowerOfTwo(int size) => size >= 1 && (size & (size - 1)) == 0;

    private static void Transform(Complex[] data, int size, bool forward)
    {
        if (!IsPowerOfTwo(size) || data.Length != size * size)
            throw new ArgumentException($"a {size}x{size} power-of-two square is needed, got {data.Length} values");
        var line = new Complex[size];
        for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < size; j++)
        {
            // Pass 0: row j; pass 1: column j.
            for (int i = 0; i < size; i++) line[i] = data[pass == 0 ? j * size + i : i * size + j];
            if (forward) Fourier.Forward(line, FourierOptions.NoScaling);
            else Fourier.Inverse(line, FourierOptions.NoScaling);
            for (int i = 0; i < size; i++) data[pass == 0 ? j * size + i : i * size + j] = line[i];
        }
        double norm = 1.0 / size;
        for (int i = 0; i < data.Length; i++) data[i] *= norm;
    }
}
