using OpenCvSharp;
using Pipeline.Images;

namespace Pipeline.Explainer;

/// <summary>
/// The checks on image file bytes before the explainer's DecodeImage sees them. That decoder
/// (ONNX Runtime Extensions 0.14) spins forever on a cut JPEG (its source manager never ends the
/// data), ends the process on any libjpeg error (the default error handler), and allocates what the
/// header claims. So: `run`'s header checks (ImageProbe), a pixel bound, no cut file, a JPEG whose
/// segments all lie inside the bytes up to EOI, and a JPEG that OpenCV's decoder (which reports
/// errors instead of exiting) reads.
/// </summary>
public static class DecodeImageGuard
{
    public static ImageHeader Check(byte[] file, string name, long maxPixels)
    {
        RequireJpegOrPng(file, name);
        var header = ImageProbe.Read(file, name);
        if (header.Format is not ("JPEG" or "PNG"))
            throw new InputException($"{name}: the explainer reads JPEG or PNG files only; the header says {header.Format}");
        if (header.Pixels > maxPixels)
            throw new InputException($"{name}: {header.Width}x{header.Height} is {header.Pixels} pixels, above the limit of {maxPixels}");
        if (header.Warning != null)
            throw new InputException($"{name}: {header.Format} without its end marker (a cut file): refused{(header.Format == "JPEG" ? ", the explainer's decoder spins forever on a cut JPEG" : "")}");
        if (header.Format == "JPEG")
        {
            JpegSegments(file, name);
            // libjpeg-turbo at 1/8 size reads every entropy-coded byte; its complaint, fatal or not, refuses the file.
            using var probe = JpegDecoder.Decode(file, name, 8, out var warning);
            if (warning != null) throw new InputException($"{name}: damaged JPEG data ({warning}): refused, the explainer's decoder is not safe on it");
        }
        return header;
    }

    /// <summary>
    /// DecodeImage hands every non-PNG file to libjpeg, whose error handler in Extensions 0.14 ends
    /// the process ("Not a JPEG file"): other formats are refused here.
    /// </summary>
    public static void RequireJpegOrPng(ReadOnlySpan<byte> file, string name)
    {
        bool png = PngStructure.Is(file);
        bool jpeg = file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF;
        if (!png && !jpeg) throw new InputException($"{name}: the explainer reads JPEG or PNG files only (DecodeImage); this is neither");
    }

    /// <summary>
    /// Walks the JPEG's markers from SOI to EOI: every segment inside the bytes, a frame (1 or 3
    /// components: DecodeImage writes 3 channels) and a scan before EOI, each scan's data ended by a marker.
    /// </summary>
    private static void JpegSegments(byte[] d, string name)
    {
        bool frame = false, scan = false;
        int i = 2;
        while (true)
        {
            if (i + 1 >= d.Length) throw Cut(name);
            if (d[i] != 0xFF) throw new InputException($"{name}: not a well-formed JPEG (no marker at byte {i})");
            byte marker = d[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            if (marker == 0xD9) break;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; } // no length
            if (i + 3 >= d.Length) throw Cut(name);
            int length = (d[i + 2] << 8) | d[i + 3];
            if (length < 2 || i + 2 + length > d.Length) throw Cut(name);
            // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8 || d[i + 9] is not (1 or 3))
                    throw new InputException($"{name}: a JPEG with {(length < 8 ? 0 : d[i + 9])} colour components (the explainer's decoder reads 1 or 3)");
                frame = true;
            }
            i += 2 + length;
            if (marker != 0xDA) continue;
            scan = true;
            // Entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a restart marker.
            while (i + 1 < d.Length && !(d[i] == 0xFF && d[i + 1] != 0x00 && d[i + 1] is not (>= 0xD0 and <= 0xD7))) i++;
        }
        if (!frame || !scan) throw new InputException($"{name}: not a well-formed JPEG (no {(frame ? "scan" : "frame")} before its end marker)");
    }

    private static InputException Cut(string name) =>
        new($"{name}: a JPEG segment runs past the end of the bytes (a cut or corrupt file)");

    /// <summary>OpenCV's decode at 1/8 scale, grey (cheap; errors give an empty image, not an exit).</summary>
}
