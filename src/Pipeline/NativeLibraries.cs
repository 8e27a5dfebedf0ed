using OpenCvSharp;

namespace Pipeline;

/// <summary>
/// OpenCV's native library (and what it links, e.g. libgtk-3) can be missing on a fresh machine; then
/// every call into OpenCV fails. The run checks once at the start and stops with one line instead of
/// skipping every image.
/// </summary>
public static class NativeLibraries
{
    public static void RequireOpenCv()
    {
        try { _ = Cv2.GetVersionString(); }
        catch (Exception e) when (Missing(e) is { } message) { throw new InputException(message); }
    }

    /// <summary>The one-line message for a native library that failed to load, or null for other errors.</summary>
    public static string? Missing(Exception e)
    {
        for (Exception? inner = e; inner != null; inner = inner.InnerException)
            if (inner is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
                return $"a native library does not load ({Messages.FirstLine(inner.Message).Split(". ")[0].TrimEnd('.')}); run scripts/setup.sh (OpenCV needs Debian's libgtk-3-0)";
        return null;
    }
}
