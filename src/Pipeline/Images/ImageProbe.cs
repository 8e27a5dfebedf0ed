using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor;

namespace Pipeline.Images;

/// <summary>An image file's size and format, read from its header; a warning when its end is missing.</summary>
public sealed record ImageHeader(int Width, int Height, string Format, string? Warning)
{
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Stage 1a: checks an image file before decoding it, so that no file can hang the run or cost
/// unbounded memory: a regular file (not a FIFO or a device), a supported extension, not empty, a
/// header that gives its size (MetadataExtractor reads headers only).
/// A JPEG without its end marker (a cut download) is still scored, with a warning; a PNG's chunks are checked by <see cref="PngStructure"/>.
/// </summary>
public static class ImageProbe
{
    public static ImageHeader Read(string path)
    {
        FileKinds.Require(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (!ImageList.Extensions.Contains(extension))
            throw new InputException($"{path}: not a supported image type '{extension}' (supported: {string.Join(", ", ImageList.Extensions)})");
        // The target's length: an ImageNet folder is often a farm of symbolic links.
        var length = FileKinds.Length(path);
        if (length == 0) throw new InputException($"{path}: empty file");
        using var stream = File.OpenRead(path);
        return Read(stream, path, length);
    }

    /// <summary>The header checks on image bytes held in memory (e.g. the explainer's input); `name` names them in messages.</summary>
    public static ImageHeader Read(byte[] file, string name)
    {
        if (file.Length == 0) throw new InputException($"{name}: empty file");
        using var stream = new MemoryStream(file, writable: false);
        return Read(stream, name, file.Length);
    }

    private static ImageHeader Read(Stream stream, string path, long length)
    {
        if (StartsWithPng(stream))
        {
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return PngStructure.Read(path, bytes);
        }
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try { directories = ImageMetadataReader.ReadMetadata(stream); }
        catch (Exception e) when (e is ImageProcessingException or IOException or MetadataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InputException($"{path}: not a readable image (its header does not parse: {Messages.FirstLine(e.Message)})");
        }
        var (width, height, format) = Size(directories) ?? throw new InputException($"{path}: not a readable image (no image size in its header)");
        if (width <= 0 || height <= 0) throw new InputException($"{path}: not a readable image (header says {width}x{height})");
        return new ImageHeader(width, height, format, MissingEnd(stream, format, length));
    }

    private static (int Width, int Height, string Format)? Size(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        foreach (var d in directories)
        {
            (int, int)? size = d switch
            {
                JpegDirectory j when j.TryGetInt32(JpegDirectory.TagImageWidth, out var w) && j.TryGetInt32(JpegDirectory.TagImageHeight, out var h) => (w, h),
                PngDirectory p when p.TryGetInt32(PngDirectory.TagImageWidth, out var w) && p.TryGetInt32(PngDirectory.TagImageHeight, out var h) => (w, h),
                // A bottom-up BMP stores a negative height.
                BmpHeaderDirectory b when b.TryGetInt32(BmpHeaderDirectory.TagImageWidth, out var w) && b.TryGetInt32(BmpHeaderDirectory.TagImageHeight, out var h) => (w, Math.Abs(h)),
                WebPDirectory p when p.TryGetInt32(WebPDirectory.TagImageWidth, out var w) && p.TryGetInt32(WebPDirectory.TagImageHeight, out var h) => (w, h),
                ExifIfd0Directory t when t.TryGetInt32(ExifDirectoryBase.TagImageWidth, out var w) && t.TryGetInt32(ExifDirectoryBase.TagImageHeight, out var h) => (w, h),
                _ => null,
            };
            // Directory names: "JPEG", "PNG-IHDR", "BMP Header", ...
            if (size is { } s) return (s.Item1, s.Item2, d.Name.Split(' ', '-')[0]);
        }
        return null;
    }

    /// <summary>Whether the bytes begin with PNG's signature; the stream is left at its start.</summary>
    private static bool StartsWithPng(Stream stream)
    {
        var head = new byte[PngStructure.Signature.Length];
        bool png = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && PngStructure.Is(head);
        stream.Seek(0, SeekOrigin.Begin);
        return png;
    }

    private static readonly byte[] JpegEnd = [0xFF, 0xD9];

    /// <summary>A warning when a JPEG has no end-of-image marker (the decoder fills the rest with grey).</summary>
    private static string? MissingEnd(Stream stream, string format, long length)
    {
        if (format != "JPEG") return null;
        // Some cameras append data after the end marker, so look in the last 64 KB, not the last bytes only.
        int tail = (int)Math.Min(length, 64 * 1024);
        var buffer = new byte[tail];
        stream.Seek(length - tail, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer.AsSpan().LastIndexOf(JpegEnd) >= 0 ? null
            : $"truncated {format} (no end marker): scored from the part that decodes";
    }
}
