using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Pipeline.Images;

/// <summary>
/// Walks a PNG's chunks before anything decodes it: every byte after the signature lies in a chunk
/// with a CRC, so damaged data is found here and named, where libpng would fail with an unnamed line
/// on stderr. A file whose chunks are whole but that lacks its IEND chunk (a download cut at the very
/// end) decodes; one cut inside a chunk, or with too little image data for its size, does not.
/// </summary>
public static class PngStructure
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] End = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
    /// <summary>Deflate cannot compress better than about 1032 to 1; more image than that for the IDAT bytes is a lying header.</summary>
    private const long DeflateBestRatio = 1032;

    public static bool Is(ReadOnlySpan<byte> head) => head.StartsWith(Signature);

    /// <summary>The size from IHDR, and a warning when the IEND chunk is missing; damage is refused naming the chunk.</summary>
    public static ImageHeader Read(string path, byte[] bytes)
    {
        int width = 0, height = 0, bitDepth = 8, colourType = 2;
        long imageData = 0;
        long at = Signature.Length;
        bool ended = false;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12)
                throw new InputException($"{path}: cut PNG (the file ends inside a chunk header at byte {at})");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
            var type = Encoding.ASCII.GetString(bytes, (int)at + 4, 4);
            if (length > int.MaxValue || at + 12 + length > bytes.Length)
                throw new InputException($"{path}: cut PNG (chunk '{Printable(type)}' at byte {at} runs past the file's end)");
            var body = bytes.AsSpan((int)at + 4, 4 + (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)(at + 8 + length)));
            if (Crc32.HashToUInt32(body) != stored)
                throw new InputException($"{path}: damaged PNG data (chunk '{Printable(type)}' at byte {at} fails its CRC)");
            var data = body[4..];
            if (type == "IHDR" && length >= 13)
            {
                width = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data));
                height = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                (bitDepth, colourType) = (data[8], data[9]);
            }
            else if (type == "IDAT") imageData += length;
            at += 12 + length;
            if (type == "IEND") { ended = true; break; }
        }
        if (width <= 0 || height <= 0) throw new InputException($"{path}: not a readable image (PNG without a valid IHDR chunk)");
        long raw = (long)height * (1 + ((long)width * Channels(colourType) * bitDepth + 7) / 8);
        if (imageData * DeflateBestRatio < raw)
            throw new InputException($"{path}: damaged PNG (its header says {width}x{height}, but it holds only {imageData} bytes of image data)");
        return new ImageHeader(width, height, "PNG", ended ? null : "PNG without its IEND chunk (cut at its end): scored, its image data is whole");
    }

    /// <summary>The bytes with an IEND chunk after the last whole chunk where it is missing, so that libpng reads to the end.</summary>
    public static byte[] Completed(byte[] bytes)
    {
        long at = Signature.Length;
        while (at + 12 <= bytes.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
            if (Encoding.ASCII.GetString(bytes, (int)at + 4, 4) == "IEND" || at + 12 + length > bytes.Length) return bytes;
            at += 12 + length;
        }
        return at == bytes.Length ? [.. bytes, .. End] : bytes;
    }

    private static int Channels(int colourType) => colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 4 };

    private static string Printable(string type) => type.All(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z') ? type : "?";
}
