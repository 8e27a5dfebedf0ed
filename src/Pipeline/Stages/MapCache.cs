using System.Security.Cryptography;
using System.Text;
using OpenCvSharp;

namespace Pipeline.Stages;

/// <summary>Maps read back from the cache: the classes with maps, every class's averaged score, the maps.</summary>
public sealed record CachedMaps(int[] Classes, float[] Scores, float[][] Maps);

/// <summary>
/// Saliency maps kept on disk between runs (`run --map-cache DIR`), so that trying localisation
/// settings does not recompute gradients. A file is keyed by the image's content, the model, the
/// card and every setting that changes a map (crops, working side, classes wanted), never by the
/// file's name alone: another image of the same name gets its own entry.
/// </summary>
public sealed class MapCache(string folder, string modelSha256, string cardJson, ExplainSettings settings)
{
    private readonly string _settings = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{modelSha256}\n{cardJson}\n{settings.Crops}\n{settings.WorkingSide}\n{settings.Top}" + (settings.Smooth == SmoothGrad.Plain ? "" : $"\n{settings.Smooth}")
        + (settings.Map == MapKind.Saliency ? "" : $"\nmap {settings.Map}"))))[..16];

    /// <summary>
    /// The cache key of an image file: its content's hash and the run's settings, and the image's crop
    /// count where an elongated image has more than asked (maps kept before its gaps were covered are not reused).
    /// </summary>
    public string KeyFor(string imagePath, int crops)
    {
        using var stream = File.OpenRead(imagePath);
        return $"{_settings}/{Convert.ToHexStringLower(SHA256.HashData(stream))}{(crops == settings.Crops ? "" : $"-{crops}crops")}";
    }

    private string FileFor(string key) => Path.Combine(folder, key + ".maps");

    public CachedMaps? Load(string key, int? groundTruthClass, Size working)
    {
        var file = FileFor(key);
        if (!File.Exists(file)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(file));
            int count = reader.ReadInt32(), length = reader.ReadInt32();
            if (length != working.Width * working.Height || count is < 1 or > 10_000) return null;
            var classes = Enumerable.Range(0, count).Select(_ => reader.ReadInt32()).ToArray();
            if (groundTruthClass is { } gt && !classes.Contains(gt)) return null;
            var scores = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadSingle()).ToArray();
            var maps = classes.Select(_ => Enumerable.Range(0, length).Select(_ => reader.ReadSingle()).ToArray()).ToArray();
            return new CachedMaps(classes, scores, maps);
        }
        catch (EndOfStreamException) { return null; } // a cache file cut by a kill: recompute it
    }

    /// <summary>
    /// Keeps the maps for the key. Two images of the same content can be in flight at once, so each
    /// writes its own partial file; a cache that cannot be written is only a missed reuse, never the
    /// image's failure (its maps are already computed).
    /// </summary>
    public void Save(string key, int[] classes, float[] scores, float[][] maps)
    {
        var file = FileFor(key);
        var partial = $"{file}.{Guid.NewGuid():N}.partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var writer = new BinaryWriter(File.Create(partial)))
            {
                writer.Write(classes.Length);
                writer.Write(maps[0].Length);
                foreach (var c in classes) writer.Write(c);
                writer.Write(scores.Length);
                foreach (var s in scores) writer.Write(s);
                foreach (var map in maps) foreach (var v in map) writer.Write(v);
            }
            File.Move(partial, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(partial); }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { } // a leftover partial file is never read
        }
    }
}
