using System.Runtime.InteropServices;

namespace Pipeline.Images;

/// <summary>
/// The TurboJPEG API of libjpeg-turbo (Debian's libturbojpeg0), the same decoder OpenCV links. It is
/// called directly because its handle keeps each decode's warnings ("Corrupt JPEG data", "Premature
/// end of JPEG file") for the caller to read, where OpenCV lets libjpeg print them on stderr, unnamed.
/// </summary>
internal static partial class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";

    public const int PixelFormatBgr = 1;
    public const int ErrorWarning = 0;
    /// <summary>Stops a progressive JPEG after 500 scans: a crafted file can otherwise spin the decoder for minutes.</summary>
    public const int FlagLimitScans = 32768;

    [StructLayout(LayoutKind.Sequential)]
    public struct ScalingFactor
    {
        public int Num, Denom;
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    public static partial IntPtr InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    public static partial int Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    public static partial int DecompressHeader(IntPtr handle, byte[] jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    public static partial int Decompress(IntPtr handle, byte[] jpeg, nuint size, IntPtr destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    public static partial IntPtr ErrorText(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjGetErrorCode")]
    public static partial int ErrorCode(IntPtr handle);

    /// <summary>The handle's last message, one line.</summary>
    public static string Message(IntPtr handle) => Marshal.PtrToStringAnsi(ErrorText(handle)) ?? "unknown error";
}
