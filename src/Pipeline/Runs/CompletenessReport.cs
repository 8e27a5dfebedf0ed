using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Pipeline.Outputs;
using Pipeline.Saliency;

namespace Pipeline.Runs;

/// <summary>
/// Integrated Gradients' completeness in report.html (a run with --map integrated-gradients): a summary
/// row from run.json's "completeness" (image-classes checked, how many over the paper's bound, the
/// median and worst error) and each image's top-class error from completeness/completeness.csv,
/// marked where it is over the bound. A run of another method shows neither.
/// </summary>
public static class CompletenessReport
{
    /// <summary>The summary table's row, or empty when run.json has no completeness summary.</summary>
    public static string SummaryRow(JsonElement run)
    {
        if (!run.TryGetProperty("completeness", out var c) || c.ValueKind != JsonValueKind.Object) return "";
        string Field(string name) => c.TryGetProperty(name, out var v) ? v.ToString() : "";
        int over = c.TryGetProperty("overSound", out var o) && o.TryGetInt32(out var n) ? n : 0;
        return $"<tr><th>integrated gradients completeness</th><td id=\"completeness\">{E(Field("imageClasses"))} image-classes checked in {E(Field("images"))} images; "
            + $"<span class=\"{(over > 0 ? "wrong" : "right")}\">{over} over the {Percent(Completeness.Sound)} bound</span>; "
            + $"error median {E(Percent(Field("medianError")))}, worst {E(Percent(Field("largestError")))} (per class in {E(Field("file"))})</td></tr>";
    }

    /// <summary>Each image's top class (rank 1) error from completeness.csv; null when the run has no such file.</summary>
    public static Dictionary<string, double>? TopClassErrors(string outDir)
    {
        var path = Path.Combine(outDir, CompletenessFiles.Folder, CompletenessFiles.AllFile);
        if (!File.Exists(path)) return null;
        var errors = new Dictionary<string, double>();
        using var reader = new CsvReader(new StreamReader(path), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        while (reader.Read())
            if (reader.GetField("rank") == "1")
                errors[reader.GetField("image")!] = double.Parse(reader.GetField("error")!, CultureInfo.InvariantCulture);
        return errors;
    }

    /// <summary>One image's cell: its top class's error, marked over the bound; a dash where the image has no check (maps from --map-cache).</summary>
    public static string Cell(Dictionary<string, double> errors, string imageId) =>
        !errors.TryGetValue(imageId, out var error) ? "<td class=\"number\">-</td>"
        : error <= Completeness.Sound ? $"<td class=\"number\">{Percent(error)}</td>"
        : $"<td class=\"number wrong\">{Percent(error)} over {Percent(Completeness.Sound)}</td>";

    /// <summary>The row's sort key: the error, -1 without a check (infinity sorts last as a large number).</summary>
    public static string SortKey(Dictionary<string, double> errors, string imageId) =>
        (errors.TryGetValue(imageId, out var error) ? Math.Min(error, double.MaxValue) : -1).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An error as a percentage to one decimal; "infinite" where the baseline scores like the crop.</summary>
    public static string Percent(double error) => double.IsFinite(error) ? (100 * error).ToString("F1", CultureInfo.InvariantCulture) + "%" : "infinite";

    /// <summary>run.json's number (or its word "infinity") as <see cref="Percent(double)"/>; other text as it is.</summary>
    private static string Percent(string field) =>
        field == "infinity" ? "infinite" : double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? Percent(v) : field;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
