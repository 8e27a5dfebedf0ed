using System.Text.Json;
using Pipeline.Images;
using Pipeline.Runs;
using Pipeline.Scoring;

namespace Pipeline.Cli;

/// <summary>
/// What eval needs to read a devkit loc.txt, which names images by line and classes by number: the
/// image order from --images (checked against the run-state.json beside the file, so a different
/// list is refused rather than mis-scored) and the class order from the card in run.json beside it,
/// else from --synsets.
/// </summary>
public static class DevkitPredictions
{
    public static Dictionary<string, List<LabelledBox>> Read(string predPath, string? images, FileInfo? synsets)
    {
        if (images == null)
            throw new UsageException($"{predPath}: a devkit loc.txt names images by line: give --images, the DIR or LIST.txt its run was given");
        var entries = ImageList.From(images);
        var folder = Path.GetDirectoryName(predPath)!;
        var statePath = Path.Combine(folder, RunArtifacts.StateFile);
        if (File.Exists(statePath))
        {
            var state = RunFingerprint.Parse(File.ReadAllText(statePath), statePath);
            if (state.Shard.Count > 1)
                throw new InputException($"{predPath}: shard {state.Shard} of a run holds only its share of the images; merge the shards first (Pipeline merge)");
            if (state.ImagesSha256 != RunFingerprint.ImagesSha256Of(images, entries) && state.ImagesSha256 != RunFingerprint.FullPathImagesSha256Of(entries))
                throw new InputException($"{images}: not the image list of the run in {folder} ({statePath} records another); give the --images its run was given");
        }
        return DevkitLocFile.Read(predPath, entries.Select(e => e.Id).ToList(), ClassOrder(predPath, folder, synsets));
    }

    private static List<string> ClassOrder(string predPath, string folder, FileInfo? synsets)
    {
        var reportPath = Path.Combine(folder, RunArtifacts.ReportFile);
        if (File.Exists(reportPath))
        {
            try
            {
                using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
                if (report.RootElement.TryGetProperty("card", out var card) && card.TryGetProperty("classes", out var classes))
                    return classes.EnumerateArray().Select(c => c.GetProperty("wnid").GetString() ?? "").ToList();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                throw new InputException($"{reportPath}: not a run.json with the model's card ({Messages.FirstLine(e.Message)})");
            }
        }
        if (synsets == null)
            throw new InputException($"{predPath}: a devkit loc.txt names classes by number and no run.json with the model's card is beside it; give --synsets LOC_synset_mapping.txt in the card's class order");
        FileKinds.Require(synsets.FullName);
        return File.ReadLines(synsets.FullName).Where(l => l.Length > 0).Select(l => l.Split(' ')[0]).ToList();
    }
}
