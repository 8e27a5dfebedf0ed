namespace Pipeline.Images;

/// <summary>One image of a run: its place in the run's list, its path, and its ImageId (the file name without extension).</summary>
public sealed record ImageEntry(int Index, string Path, string Id);

/// <summary>
/// The images of a run: a folder's image files (by extension, sorted by name), or every path a text
/// file lists (one per line, relative to the list file; blank lines and # comments skipped). Whether a
/// path is a readable image of a supported format is decided per image, the same way for both (a
/// listed .gif, a FIFO named x.jpg: one line in errors.csv). ImageIds are file names without their
/// extension, as ILSVRC's LOC_val_solution.csv names images; two files with one id are refused
/// before the run starts, since a CSV row could not tell them apart.
/// </summary>
public static class ImageList
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string> { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff" };

    /// <summary>The folder image paths are relative to: the folder itself, or the list file's folder.</summary>
    public static string Root(string path) => Directory.Exists(path) ? System.IO.Path.GetFullPath(path) : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;

    public static List<ImageEntry> From(string path)
    {
        List<string> paths;
        if (Directory.Exists(path))
            paths = Directory.EnumerateFiles(path).Where(f => Extensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToList();
        else if (File.Exists(path))
        {
            var root = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            paths = ReadList(path).Select(l => System.IO.Path.IsPathRooted(l) ? l : System.IO.Path.Combine(root, l)).ToList();
        }
        else throw new InputException($"{path}: no such folder or list file");
        if (paths.Count == 0) throw new InputException($"{path}: no images ({string.Join(", ", Extensions)})");

        var entries = paths.Select((p, i) => new ImageEntry(i, p, ImageId(p))).ToList();
        var clashes = entries.GroupBy(e => e.Id).Where(g => g.Count() > 1).ToList();
        if (clashes.Count > 0)
            throw new InputException($"{path}: {clashes.Count} ImageId(s) name more than one file, rename them or list them apart: " +
                string.Join("; ", clashes.Take(5).Select(g => $"'{g.Key}': {string.Join(", ", g.Select(e => e.Path))}")) + (clashes.Count > 5 ? "; ..." : ""));
        if (entries.FirstOrDefault(e => e.Id.Length == 0 || e.Id.Any(char.IsControl)) is { } bad)
            throw new InputException($"{bad.Path}: a file name without a usable ImageId (empty, or a control character)");
        return entries;
    }

    private static IEnumerable<string> ReadList(string file)
    {
        var info = new FileInfo(file);
        FileKinds.Require(file);
        if (info.Length > 512L << 20) throw new InputException($"{file}: a list of images over 512 MB; split it");
        return File.ReadLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }

    public static string ImageId(string path) => System.IO.Path.GetFileNameWithoutExtension(path);
}
