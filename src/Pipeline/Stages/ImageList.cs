using Pipeline.Cli;

namespace Pipeline.Stages;

/// <summary>The images of a run: every image file of a folder (sorted by name), or the paths listed in a text file.</summary>
public static class ImageList
{
    private static readonly HashSet<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];

    public static List<string> From(string path)
    {
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToList();
        if (File.Exists(path))
        {
            var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => Path.IsPathRooted(l) ? l : Path.Combine(root, l)).ToList();
        }
        throw new InputException($"{path}: no such folder or list file");
    }

    public static string ImageId(string path) => Path.GetFileNameWithoutExtension(path);
}
