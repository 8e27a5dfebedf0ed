using System.Net;
using System.Text.Json;

namespace Pipeline.Runs;

/// <summary>
/// The files `Pipeline measure` adds to a run folder, and report.html's section for them: its plot,
/// shown only while the run's journal is the one measured (a run continued or restarted since is
/// named stale rather than shown as if it were current).
/// </summary>
public static class MeasureFiles
{
    public const string Table = "measures.csv", Curves = "curves.csv", Summary = "measures.json", Plot = "measures.svg";

    /// <summary>SHA-256 of the folder's progress.csv: which state of the run the measures describe.</summary>
    public static string JournalSha256(string outDir) =>
        RunFingerprint.Sha256(File.ReadAllBytes(Path.Combine(outDir, RunArtifacts.JournalFile)));

    /// <summary>The report's section: the plot, a note that it is stale, or nothing when the run was not measured.</summary>
    public static string HtmlSection(string outDir)
    {
        string summary = Path.Combine(outDir, Summary), plot = Path.Combine(outDir, Plot);
        if (!File.Exists(summary) || !File.Exists(plot)) return "";
        string? measured = null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            measured = json.RootElement.TryGetProperty("journalSha256", out var sha) ? sha.GetString() : null;
        }
        catch (JsonException) { }
        bool current = measured != null && File.Exists(Path.Combine(outDir, RunArtifacts.JournalFile)) && measured == JournalSha256(outDir);
        return current
            ? $"<h2>Deletion and insertion (Pipeline measure)</h2><p><img alt=\"deletion and insertion curves\" src=\"{Plot}\" style=\"max-width:640px\"></p><p>Per image in {Table}, curves in {Curves}.</p>"
            : $"<h2>Deletion and insertion</h2><p>{WebUtility.HtmlEncode(Summary)} describes an earlier state of this run; run Pipeline measure again.</p>";
    }
}
