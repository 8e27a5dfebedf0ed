using OpenCvSharp;

namespace Pipeline.Outputs;

/// <summary>
/// Output (`run --save-npy`): per image the ground-truth-class map (with --truth) and the top-1 map as
/// 224x224 float32 .npy arrays in [0, 1], laid out so that an evaluator reading `ROOT/IMAGE_ID.npy`
/// with wsolevaluation-style ids (`FOLDER/FILE`, e.g. `val/ILSVRC2012_val_00000001.JPEG`) finds them:
///   OUTDIR/npy/gt/FOLDER/FILE.npy, OUTDIR/npy/top1/FOLDER/FILE.npy, where FOLDER is the name of the
///   folder holding the image and FILE its file name with extension;
///   OUTDIR/npy/image_sizes.txt: `FOLDER/FILE,width,height` per scored image (wsolevaluation's
///   image_sizes.txt form), which the protocol needs to bring ground-truth boxes to 224x224.
/// </summary>
public static class NpyMaps
{
    public const string Folder = "npy", GroundTruth = "gt", Top1 = "top1", SizesFile = "image_sizes.txt";

    /// <summary>The id an evaluator names the image by: the image's folder name and file name.</summary>
    public static string MapId(string imagePath)
    {
        var full = Path.GetFullPath(imagePath);
        var folder = Path.GetFileName(Path.GetDirectoryName(full));
        return string.IsNullOrEmpty(folder) ? Path.GetFileName(full) : $"{folder}/{Path.GetFileName(full)}";
    }

    /// <summary>One image's maps (working resolution, row-major width x height) as .npy files; the ground-truth map is null without --truth.</summary>
    public static IEnumerable<SideFile> Files(string imagePath, float[]? groundTruthMap, float[] top1Map, int width, int height)
    {
        var id = MapId(imagePath);
        if (groundTruthMap != null) yield return Npy(Path.Combine(Folder, GroundTruth, id + ".npy"), groundTruthMap, width, height);
        yield return Npy(Path.Combine(Folder, Top1, id + ".npy"), top1Map, width, height);
    }

    /// <summary>A map at 224x224, min-max normalised, as float32.</summary>
    public static float[] ToProtocol(float[] map, int width, int height)
    {
        // Saliency maps are pixel-fine speckle: shrinking averages areas (no aliasing); a smaller image is enlarged with the reference's cubic.
        var interpolation = width >= ProtocolMap.Side && height >= ProtocolMap.Side ? InterpolationFlags.Area : InterpolationFlags.Cubic;
        return Array.ConvertAll(ProtocolMap.Make(Array.ConvertAll(map, v => (double)v), height, width, interpolation), v => (float)v);
    }

    private static SideFile Npy(string relativePath, float[] map, int width, int height) =>
        new(relativePath, NpyFile.Float32(ToProtocol(map, width, height), ProtocolMap.Side, ProtocolMap.Side));

    /// <summary>Writes image_sizes.txt for the scored images (every session's), sorted by id so shards merge to the same bytes.</summary>
    public static void WriteSizes(string outDir, IEnumerable<(string Path, int Width, int Height)> scoredImages)
    {
        var lines = scoredImages.Select(e => $"{MapId(e.Path)},{e.Width},{e.Height}\n").Order(StringComparer.Ordinal);
        WriteText(Path.Combine(outDir, Folder, SizesFile), string.Concat(lines));
    }

    /// <summary>
    /// merge: one image_sizes.txt of all the shards' lines, sorted (the maps themselves are copied with
    /// the run's other per-image folders, see RunArtifacts.ImageFolders).
    /// </summary>
    public static void MergeSizes(IEnumerable<string> shardDirs, string outDir)
    {
        var sizes = shardDirs.Select(d => Path.Combine(d, Folder, SizesFile)).Where(File.Exists)
            .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        if (sizes.Count > 0) WriteText(Path.Combine(outDir, Folder, SizesFile), string.Concat(sizes.Select(l => l + "\n")));
    }

    private static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path + ".partial", text);
        File.Move(path + ".partial", path, overwrite: true);
    }
}
