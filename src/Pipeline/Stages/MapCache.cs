namespace Pipeline.Stages;

/// <summary>
/// Saliency maps kept on disk between runs (`run --map-cache DIR`), so that trying localisation
/// settings does not recompute gradients. One file per model, crop count and image.
/// </summary>
public sealed class MapCache(string folder, string modelSha256, int crops)
{
    private string FileFor(string imagePath) =>
        Path.Combine(folder, $"{modelSha256[..16]}-c{crops}", Path.GetFileName(imagePath) + ".maps");

    public (int[] Classes, float[] Scores, float[][] Maps)? Load(string imagePath, int? groundTruthClass)
    {
        var file = FileFor(imagePath);
        if (!File.Exists(file)) return null;
        using var reader = new BinaryReader(File.OpenRead(file));
        int count = reader.ReadInt32(), length = reader.ReadInt32();
        var classes = Enumerable.Range(0, count).Select(_ => reader.ReadInt32()).ToArray();
        if (groundTruthClass is { } gt && !classes.Contains(gt)) return null;
        var scores = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadSingle()).ToArray();
        var maps = classes.Select(_ => Enumerable.Range(0, length).Select(_ => reader.ReadSingle()).ToArray()).ToArray();
        return (classes, scores, maps);
    }

    public void Save(string imagePath, int[] classes, float[] scores, float[][] maps)
    {
        var file = FileFor(imagePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using var writer = new BinaryWriter(File.Create(file));
        writer.Write(classes.Length);
        writer.Write(maps[0].Length);
        foreach (var c in classes) writer.Write(c);
        writer.Write(scores.Length);
        foreach (var s in scores) writer.Write(s);
        foreach (var map in maps) foreach (var v in map) writer.Write(v);
    }
}
