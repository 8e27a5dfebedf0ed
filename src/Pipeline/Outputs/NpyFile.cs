using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;

namespace Pipeline.Outputs;

/// <summary>A 2-D array of numbers, row-major: what one .npy score map holds.</summary>
public sealed record Array2D(int Height, int Width, double[] Values);

/// <summary>
/// NumPy's .npy format, version 1.0 (numpy.lib.format): the magic "\x93NUMPY", version 1 0, a
/// little-endian uint16 header length, an ASCII Python dict literal padded with spaces and ended by
/// '\n' so that magic + length + header is a multiple of 64 bytes, then the data. Written here as
/// little-endian float32 in C order; read back as float32 or float64, 2-D, C order (what score-map
/// tools write), anything else refused in one line naming the file.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The file's bytes for a float32 array of shape (height, width).</summary>
    public static byte[] Float32(float[] values, int height, int width)
    {
        if (values.Length != height * width) throw new ArgumentException($"{values.Length} values for shape ({height}, {width})");
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({height}, {width}), }}";
        // 6 magic + 2 version + 2 length + dict + padding + '\n' = a multiple of 64.
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var bytes = new byte[Magic.Length + 4 + header.Length + 4 * values.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        int offset = 10 + header.Length;
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset + 4 * i), values[i]);
        return bytes;
    }

    /// <summary>Writes whole or not at all (a temporary file renamed): a killed run leaves no cut map.</summary>
    public static void Write(string path, float[] values, int height, int width)
    {
        var bytes = Float32(values, height, width);
        var partial = path + ".partial";
        try
        {
            File.WriteAllBytes(partial, bytes);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write {Path.GetFullPath(path)}: {Messages.FirstLine(e.Message)}", e);
        }
    }

    public static Array2D Read(string path)
    {
        FileKinds.Require(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new InputException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) (headerLength, start) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10);
        else if (major is 2 or 3 && bytes.Length >= 12) (headerLength, start) = ((int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8))), 12);
        else throw new InputException($"{path}: .npy version {major}.{bytes[7]} is not 1, 2 or 3");
        if (start + (long)headerLength > bytes.Length) throw new InputException($"{path}: .npy header longer than the file");
        var header = Encoding.Latin1.GetString(bytes, start, headerLength);
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success) throw new InputException($"{path}: .npy header is not a descr/fortran_order/shape dict: {header.Trim()}");
        if (fortran.Groups[1].Value != "False") throw new InputException($"{path}: a Fortran-order array; save it in C order");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length != 2 || !int.TryParse(dims[0], CultureInfo.InvariantCulture, out int h) || !int.TryParse(dims[1], CultureInfo.InvariantCulture, out int w) || h <= 0 || w <= 0)
            throw new InputException($"{path}: shape ({shape.Groups[1].Value}) is not a 2-D map (height, width)");
        int size = descr.Groups[1].Value switch { "<f4" => 4, "<f8" => 8, var d => throw new InputException($"{path}: dtype '{d}' is not float32 ('<f4') or float64 ('<f8')") };
        int data = start + headerLength;
        if (bytes.Length - data != (long)h * w * size) throw new InputException($"{path}: {bytes.Length - data} data bytes for shape ({h}, {w}) of {size}-byte numbers");
        var values = new double[h * w];
        for (int i = 0; i < values.Length; i++)
            values[i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + 4 * i)) : BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(data + 8 * i));
        return new Array2D(h, w, values);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
