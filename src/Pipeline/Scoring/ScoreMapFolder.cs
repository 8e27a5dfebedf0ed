using System.Globalization;
using OpenCvSharp;
using Pipeline.Images;
using Pipeline.Outputs;

namespace Pipeline.Scoring;

/// <summary>
/// A folder of score maps for `eval --protocol maxboxacc`: every .npy file under it, at any depth,
/// found by the ImageId it names (its file name without `.npy` and without an image extension:
/// `val/ILSVRC2012_val_00000001.JPEG.npy` and `ILSVRC2012_val_00000001.npy` are both image
/// ILSVRC2012_val_00000001), and the original image sizes from `image_sizes.txt` (lines
/// `MAP_ID,width,height`, MAP_ID the map's path under the folder without `.npy`; wsolevaluation's form)
/// in the folder or the folder above it (run --save-npy writes OUTDIR/npy/image_sizes.txt beside npy/gt).
/// </summary>
public sealed class ScoreMapFolder
{
    private readonly string _dir;
    private readonly Dictionary<string, string> _maps; // ImageId -> map path
    private readonly Dictionary<string, (int Width, int Height)> _sizes; // MAP_ID -> original size
    private readonly string _sizesFile;

    public int Count => _maps.Count;

    public ScoreMapFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new InputException($"{dir}: no such folder of score maps");
        _dir = Path.GetFullPath(dir);
        _maps = [];
        var clashes = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_dir, "*.npy", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (!_maps.TryAdd(ImageId(file), file)) clashes.Add($"{_maps[ImageId(file)]} and {file}");
        if (clashes.Count > 0) throw new InputException($"{dir}: {clashes.Count} image(s) have more than one map: {string.Join("; ", clashes.Take(3))}");
        _sizesFile = new[] { Path.Combine(_dir, NpyMaps.SizesFile), Path.Combine(Path.GetDirectoryName(_dir) ?? _dir, NpyMaps.SizesFile) }
            .FirstOrDefault(File.Exists)
            ?? throw new InputException($"{dir}: no {NpyMaps.SizesFile} in it or the folder above (lines MAP_ID,width,height: the ground-truth boxes need the original sizes; run --save-npy writes it)");
        _sizes = ReadSizes(_sizesFile);
    }

    /// <summary>The ImageId a map file names: its file name without `.npy`, then without an image extension.</summary>
    public static string ImageId(string mapPath)
    {
        var name = Path.GetFileNameWithoutExtension(mapPath);
        return ImageList.Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()) ? Path.GetFileNameWithoutExtension(name) : name;
    }

    /// <summary>The image's map at 224x224 in [0, 1] (resized with bicubic interpolation and min-max normalised, as the reference does) and its original size; null when the folder has no map for it.</summary>
    public (double[] Map, int Width, int Height)? Load(string imageId)
    {
        if (!_maps.TryGetValue(imageId, out var path)) return null;
        var mapId = Path.GetRelativePath(_dir, path)[..^".npy".Length].Replace(Path.DirectorySeparatorChar, '/');
        if (!_sizes.TryGetValue(mapId, out var size)) throw new InputException($"{_sizesFile}: no size for {mapId} (the map {path})");
        var array = NpyFile.Read(path);
        return (ProtocolMap.Make(array.Values, array.Height, array.Width, InterpolationFlags.Cubic), size.Width, size.Height);
    }

    private static Dictionary<string, (int, int)> ReadSizes(string path)
    {
        FileKinds.Require(path);
        var sizes = new Dictionary<string, (int, int)>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            var f = text.Split(',');
            if (f.Length != 3 || !int.TryParse(f[1], CultureInfo.InvariantCulture, out int w) || !int.TryParse(f[2], CultureInfo.InvariantCulture, out int h) || w <= 0 || h <= 0)
                throw new InputException($"{path}: line {line} is not MAP_ID,width,height: '{text}'");
            sizes[f[0]] = (w, h);
        }
        return sizes;
    }
}
