using Pipeline.Outputs;

namespace Pipeline.Runs;

/// <summary>A file that gets one piece per image, cut by progress.csv: its name, first line, which runs have it, and its piece of an image's rows.</summary>
public sealed record RowFile(string Name, string Header, Func<string, bool, bool> InRun, Func<ImageRows, string?> Row);

/// <summary>
/// Every file and folder a run writes into its folder, in one table: the commit writes the row files
/// and per-image folders, --restart removes all of them, a folder holding any of them without a
/// run-state.json is refused as stale, and merge joins them.
/// </summary>
public static class RunArtifacts
{
    public const string LocCsv = "loc.csv", LocTxt = "loc.txt", GroundTruthFile = "loc_gt.csv", ErrorsFile = "errors.csv", PredictionsFile = "predictions.csv",
        StateFile = "run-state.json", JournalFile = "progress.csv", ReportFile = "run.json", HtmlFile = "report.html", MapsFolder = "maps";

    /// <summary>The row files, in the order of progress.csv's columns.</summary>
    public static readonly RowFile[] RowFiles =
    [
        new(LocCsv, RowFormat.CsvLine(["ImageId", "PredictionString"]), (format, _) => format != "devkit", r => r.Loc),
        new(LocTxt, "", (format, _) => format == "devkit", r => r.Loc),
        new(GroundTruthFile, RowFormat.CsvLine(["ImageId", "PredictionString"]), (_, truth) => truth, r => r.GroundTruth),
        new(ErrorsFile, RowFormat.CsvLine(["file", "image", "status", "reason"]), (_, _) => true, r => r.Error),
        new(PredictionsFile, RowFormat.CsvLine(["image", "rank", "wnid", "class", "probability", "score", "xmin", "ymin", "xmax", "ymax"]), (_, _) => true, r => r.Predictions),
    ];

    /// <summary>Files of the whole run: its fingerprint, journal and report (report.html is rebuilt from the others, so it alone does not make a folder stale).</summary>
    public static readonly string[] RunFiles = [StateFile, JournalFile, ReportFile];

    /// <summary>The folders a run writes per image (maps, report thumbnails, .npy maps, Integrated Gradients' completeness).</summary>
    public static readonly string[] ImageFolders = [MapsFolder, ReportThumbnails.Folder, NpyMaps.Folder, CompletenessFiles.Folder];

    /// <summary>The row files of a run of this format, with or without --truth.</summary>
    public static IReadOnlyList<RowFile> RowFilesOf(string format, bool groundTruth) => RowFiles.Where(f => f.InRun(format, groundTruth)).ToList();

    public static IReadOnlyList<string> FileNames(string format, bool groundTruth) => RowFilesOf(format, groundTruth).Select(f => f.Name).ToList();

    public static string LocFileName(string format) => RowFilesOf(format, false)[0].Name;

    public static string Header(string name) => RowFiles.First(f => f.Name == name).Header;

    /// <summary>Every file name that marks a folder as holding a run.</summary>
    public static IEnumerable<string> MarkingFiles => RowFiles.Select(f => f.Name).Concat(RunFiles);

    /// <summary>Removes every file and folder a run writes; other files in the folder stay.</summary>
    public static void RemoveAll(string outDir)
    {
        foreach (var f in MarkingFiles.Append(StateFile + ".partial").Append(HtmlFile)) File.Delete(Path.Combine(outDir, f));
        JournalOrder.Discard(outDir);
        foreach (var folder in ImageFolders)
            if (Directory.Exists(Path.Combine(outDir, folder))) Directory.Delete(Path.Combine(outDir, folder), recursive: true);
    }
}
