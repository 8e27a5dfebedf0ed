namespace Pipeline.Outputs;

/// <summary>
/// A file an image adds under the run folder besides its rows (a map PNG, a report thumbnail, an .npy
/// map), made with the image and written at its commit: under a temporary name, then renamed, so a
/// kill never leaves half a file under the real name.
/// </summary>
public sealed record SideFile(string RelativePath, byte[] Bytes)
{
    public void WriteUnder(string outDir)
    {
        var path = Path.Combine(outDir, RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path + ".partial", Bytes);
        File.Move(path + ".partial", path, overwrite: true);
    }
}
