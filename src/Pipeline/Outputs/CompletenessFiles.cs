using System.Globalization;
using CsvHelper;
using Pipeline.Cards;
using Pipeline.Saliency;

namespace Pipeline.Outputs;

/// <summary>
/// Integrated Gradients' completeness in a run folder (`run --map integrated-gradients`):
///   completeness/images/ID.csv, written with each image: one row per class with a map (the top
///   classes by rank, the ground-truth class with rank empty when it is not among them):
///   image, rank, wnid, score_difference and attribution_sum (means over the crops),
///   error (the largest over the crops of |sum - difference| / |difference|);
///   completeness/completeness.csv, every image's rows sorted by image, and a summary in run.json
///   (<see cref="Summarise"/>), remade at the end of each session and by merge.
/// Maps read from --map-cache carry no check, so those images have no rows.
/// </summary>
public static class CompletenessFiles
{
    public const string Folder = "completeness", ImagesFolder = "images", AllFile = "completeness.csv";
    private static readonly string[] Header = ["image", "rank", "wnid", "score_difference", "attribution_sum", "error"];

    /// <summary>One image's rows, or null when no class has a check.</summary>
    public static SideFile? File(string imageId, ImageResult result, ModelCard card)
    {
        var rows = Checked(result).Select(c => Row(imageId, c.Rank, card.Classes[c.Class.ClassIndex].Wnid, c.Class.Completeness!)).ToList();
        return rows.Count == 0 ? null
            : new SideFile(Path.Combine(Folder, ImagesFolder, imageId + ".csv"), System.Text.Encoding.UTF8.GetBytes(Csv([Header, .. rows])));
    }

    /// <summary>One line naming the classes whose error is over the bound (<see cref="Completeness.Sound"/>), or null.</summary>
    public static string? Warning(ImageResult result, ModelCard card)
    {
        var poor = Checked(result).Where(c => !(c.Class.Completeness!.Error <= Completeness.Sound))
            .Select(c => $"{card.Classes[c.Class.ClassIndex].Wnid} {Percent(c.Class.Completeness!.Error)}").ToList();
        return poor.Count == 0 ? null
            : $"integrated gradients completeness error over {Percent(Completeness.Sound)} ({string.Join(", ", poor)}): the path integral is poorly approximated; more --ig-steps";
    }

    private static IEnumerable<(string Rank, ClassResult Class)> Checked(ImageResult result)
    {
        var classes = result.Top.Select((c, i) => ((i + 1).ToString(CultureInfo.InvariantCulture), c)).ToList();
        if (result.GroundTruthClass is { } truth && !result.Top.Contains(truth)) classes.Add(("", truth));
        return classes.Where(c => c.Item2.Completeness != null);
    }

    private static string[] Row(string imageId, string rank, string wnid, Completeness c) =>
        [imageId, rank, wnid, Number(c.ScoreDifference), Number(c.AttributionSum), Number(c.Error)];

    private static string Percent(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>
    /// Joins the per-image files into completeness.csv and returns run.json's summary of it: image-classes
    /// and images checked, the mean, median and largest error and how many are over the bound; null when
    /// the run folder has no completeness files.
    /// </summary>
    public static Dictionary<string, object>? Summarise(string outDir)
    {
        var folder = Path.Combine(outDir, Folder, ImagesFolder);
        if (!Directory.Exists(folder)) return null;
        var rows = new List<string[]>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var reader = new CsvReader(new StreamReader(file), CultureInfo.InvariantCulture);
            reader.Read();
            reader.ReadHeader();
            while (reader.Read()) rows.Add(Enumerable.Range(0, Header.Length).Select(i => reader.GetField(i)!).ToArray());
        }
        rows = rows.OrderBy(r => r[0], StringComparer.Ordinal).ToList(); // stable: an image's rows stay in rank order
        var path = Path.Combine(outDir, Folder, AllFile);
        System.IO.File.WriteAllText(path + ".partial", Csv([Header, .. rows]));
        System.IO.File.Move(path + ".partial", path, overwrite: true);
        var errors = rows.Select(r => double.Parse(r[5], CultureInfo.InvariantCulture)).Order().ToList();
        if (errors.Count == 0) return null;
        return new Dictionary<string, object>
        {
            ["file"] = $"{Folder}/{AllFile}",
            ["imageClasses"] = errors.Count,
            ["images"] = rows.Select(r => r[0]).Distinct().Count(),
            ["meanError"] = Json(errors.Average()),
            ["medianError"] = Json(errors.Count % 2 == 1 ? errors[errors.Count / 2] : (errors[errors.Count / 2 - 1] + errors[errors.Count / 2]) / 2),
            ["largestError"] = Json(errors[^1]),
            ["overSound"] = errors.Count(e => !(e <= Completeness.Sound)),
            ["soundBound"] = Completeness.Sound,
        };
    }

    /// <summary>JSON has no infinity (a baseline scored like the crop): it is written as the word.</summary>
    private static object Json(double v) => double.IsFinite(v) ? v : "infinity";

    private static string Csv(IEnumerable<string[]> rows)
    {
        using var text = new StringWriter();
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
            foreach (var row in rows)
            {
                foreach (var field in row) csv.WriteField(field);
                csv.NextRecord();
            }
        return text.ToString();
    }
}
