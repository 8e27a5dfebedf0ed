using System.Globalization;
using System.Text;

namespace Pipeline.Sanity;

/// <summary>The report as a table: sanity.csv (means per step, and one row per image and step in sanity_images.csv) and a console table.</summary>
public static class SanityTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Csv(SanityReport report)
    {
        var text = new StringBuilder("mode,step,layers,layers_randomised,spearman_abs,spearman_signed,ssim,hog,constant_maps,images,seconds\n");
        foreach (var s in report.Steps)
            text.Append(Invariant, $"{SanityCheck.Name(s.Mode)},{s.Number},{Quote(s.Label)},{s.LayersRandomised},{Number(s.Mean(m => m.SpearmanAbsolute))},")
                .Append(Invariant, $"{Number(s.Mean(m => m.SpearmanSigned))},{Number(s.Mean(m => m.Ssim))},{Number(s.Mean(m => m.Hog))},{s.Undefined},{s.Images.Count},{s.Seconds:F2}\n");
        return text.ToString();
    }

    public static string ImagesCsv(SanityReport report)
    {
        var text = new StringBuilder("mode,step,layers,image,class,spearman_abs,spearman_signed,ssim,hog\n");
        foreach (var s in report.Steps)
            for (int i = 0; i < s.Images.Count; i++)
            {
                var m = s.Images[i];
                text.Append(Invariant, $"{SanityCheck.Name(s.Mode)},{s.Number},{Quote(s.Label)},{Quote(report.ImageIds[i])},{Quote(report.ClassNames[i])},")
                    .Append($"{Number(m.SpearmanAbsolute)},{Number(m.SpearmanSigned)},{Number(m.Ssim)},{Number(m.Hog)}\n");
            }
        return text.ToString();
    }

    /// <summary>
    /// Aligned columns a person reads: means over the images, an empty cell where a measure is
    /// undefined, and how many images' maps came out constant (left out of the rank and HOG means).
    /// </summary>
    public static string Console(SanityReport report)
    {
        var rows = new List<string[]> { new[] { "mode", "step", "layers randomised", "rank |map|", "rank signed", "SSIM", "HOG", "constant maps" } };
        foreach (var s in report.Steps)
            rows.Add([SanityCheck.Name(s.Mode), s.Number.ToString(Invariant), s.Label, Cell(s.Mean(m => m.SpearmanAbsolute)),
                Cell(s.Mean(m => m.SpearmanSigned)), Cell(s.Mean(m => m.Ssim)), Cell(s.Mean(m => m.Hog)), s.Undefined > 0 ? $"{s.Undefined} of {s.Images.Count}" : ""]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c >= 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        return text.ToString();
    }

    private static string Cell(double v) => double.IsNaN(v) ? "" : v.ToString("F3", Invariant);
    private static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("G6", Invariant);
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
