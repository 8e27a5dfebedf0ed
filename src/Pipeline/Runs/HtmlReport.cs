using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text;
using CsvHelper;
using Pipeline.Localisation;
using Pipeline.Scoring;

namespace Pipeline.Runs;

/// <summary>
/// report.html of a run folder, made from the folder's own files (run.json, predictions.csv,
/// errors.csv, loc.csv and loc_gt.csv, the thumbnails in report/) and the ground truth when the run
/// had one: the run's model, options, timings and scores at the top, then one row per image with its
/// thumbnail, its guesses (class name, probability, score, box, IoU with the ground truth, right or
/// wrong) and whether it was localised, and with --map integrated-gradients its top class's completeness
/// error (<see cref="CompletenessReport"/>); rows sort by a click on a column and filter by text or to
/// the failures. One file beside the thumbnails folder; nothing is fetched from a network.
/// </summary>
public static class HtmlReport
{
    private sealed record Guess(int Rank, string Wnid, string Name, string Probability, string Score, Box Box);

    public static void Write(string outDir)
    {
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, RunArtifacts.ReportFile)));
        var root = run.RootElement;
        var truthPath = root.TryGetProperty("truth", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var truth = truthPath != null && File.Exists(truthPath) ? LocFile.Read(truthPath) : null;
        var guesses = ReadPredictions(Path.Combine(outDir, RunArtifacts.PredictionsFile));
        var completeness = CompletenessReport.TopClassErrors(outDir);
        var errors = File.Exists(Path.Combine(outDir, RunArtifacts.ErrorsFile))
            ? File.ReadAllLines(Path.Combine(outDir, RunArtifacts.ErrorsFile)).Skip(1).ToList() : [];

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pipeline run report</title><style>")
            .Append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}th,td{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}")
            .Append("th{cursor:pointer;background:#f3f3f3}.right{color:#080}.wrong{color:#b00}.guess{font-size:90%}img{max-width:320px}")
            // Long paths and hashes wrap rather than widen the page past the window.
            .Append("td{overflow-wrap:anywhere}td.number{text-align:right;white-space:nowrap}.summary{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}#options{max-width:40em}#options td:first-child,#timings td:first-child{white-space:nowrap}")
            .Append("pre{background:#f6f6f6;padding:8px;max-height:12em;overflow:auto;white-space:pre-wrap}.controls{margin:1em 0}</style></head><body>");
        html.Append("<h1>Pipeline run report</h1>");
        Summary(html, root, outDir, truth, guesses.Select(g => g.Id).Concat(errors.Select(ErrorImage)).ToHashSet());
        html.Append("<div class=\"controls\"><input id=\"filter\" placeholder=\"filter: image or class\" size=\"40\"> ")
            .Append("<label><input type=\"checkbox\" id=\"failures\"> only images not localised in the top 5</label> <span id=\"shown\"></span></div>");
        html.Append("<table id=\"images\"><thead><tr><th data-key=\"id\">image</th><th>saliency of the top class (white: its box; grey: other guesses; green: ground truth)</th>")
            .Append("<th data-key=\"top1\">top-5 guesses</th><th data-key=\"iou\">best IoU (right class)</th><th data-key=\"ok\">localised</th>")
            .Append(completeness == null ? "" : "<th data-key=\"completeness\">completeness error (top class)</th>").Append("</tr></thead><tbody>");
        foreach (var (id, list) in guesses)
        {
            var boxes = truth != null && truth.TryGetValue(id, out var b) ? b : null;
            var overlaps = list.Select(g => boxes == null ? null : GuessOverlap.Of(g.Wnid, g.Box, boxes)).ToList();
            double? best = boxes == null ? null : overlaps.Max(o => o!.RightClass ? o.IoU : 0);
            string ok = boxes == null ? "unknown" : best >= 0.5 ? "right" : "wrong";
            html.Append($"<tr data-id=\"{E(id)}\" data-top1=\"{E(list[0].Name)}\" data-iou=\"{(best ?? -1).ToString("F3", CultureInfo.InvariantCulture)}\" data-ok=\"{ok}\"")
                .Append(completeness == null ? ">" : $" data-completeness=\"{CompletenessReport.SortKey(completeness, id)}\">")
                .Append($"<td>{E(id)}</td><td><img alt=\"{E(id)}\" src=\"{ReportThumbnails.Folder}/{Uri.EscapeDataString(id)}.jpg\"></td><td>");
            foreach (var (g, overlap) in list.Zip(overlaps))
            {
                string mark = overlap == null ? "" : !overlap.RightClass ? " <span class=\"wrong\">wrong class</span>"
                    : overlap.IoU >= 0.5 ? " <span class=\"right\">right</span>" : " <span class=\"wrong\">wrong</span>";
                html.Append($"<div class=\"guess\">{g.Rank}. {E(g.Name)} ({E(g.Wnid)}) {E(Percent(g.Probability))} score {E(Rounded(g.Score))} box {g.Box.XMin},{g.Box.YMin},{g.Box.XMax},{g.Box.YMax}")
                    .Append(overlap == null ? "" : $" IoU {overlap.IoU.ToString("F2", CultureInfo.InvariantCulture)}").Append(mark).Append("</div>");
            }
            html.Append($"</td><td>{(best == null ? "-" : best.Value.ToString("F2", CultureInfo.InvariantCulture))}</td><td class=\"{(ok == "right" ? "right" : ok == "wrong" ? "wrong" : "")}\">{ok}</td>")
                .Append(completeness == null ? "" : CompletenessReport.Cell(completeness, id)).Append("</tr>");
        }
        html.Append("</tbody></table>");
        html.Append(MeasureFiles.HtmlSection(outDir));
        if (errors.Count > 0)
            html.Append("<h2>Images not scored or scored with a warning</h2><pre>").Append(E(string.Join('\n', errors))).Append("</pre>");
        html.Append("<script>").Append(Script).Append("</script></body></html>");
        var path = Path.Combine(outDir, RunArtifacts.HtmlFile);
        File.WriteAllText(path + ".partial", html.ToString());
        File.Move(path + ".partial", path, overwrite: true);
    }

    private static void Summary(StringBuilder html, JsonElement run, string outDir, Dictionary<string, List<LabelledBox>>? truth, HashSet<string> runImages)
    {
        string Field(string name) => run.TryGetProperty(name, out var v) ? v.ToString() : "";
        // An unsharded run has no shard to speak of; a shard or a merge of shards says so.
        var shard = Field("shard") is { Length: > 0 } s && !s.EndsWith("/1") ? $", shard {s}" : "";
        html.Append("<div class=\"summary\"><table>")
            .Append($"<tr><th>model</th><td>{E(Field("model"))} (sha256 {E(Field("modelSha256"))})</td></tr>")
            // run.json of earlier versions named the localiser "method".
            .Append($"<tr><th>localiser, device</th><td>{E(Field("localiser") is { Length: > 0 } l ? l : Field("method"))}, {E(Field("device"))}{E(shard)}</td></tr>")
            .Append($"<tr><th>images</th><td>{E(Field("images"))} scored, {E(Field("skipped"))} skipped, {E(Field("errors"))} errors, {E(Field("warnings"))} with warnings</td></tr>");
        if (truth != null && File.Exists(Path.Combine(outDir, RunArtifacts.LocFileName("kaggle"))))
        {
            // The truth file may cover more images than the run: only the run's own are scored.
            var ofRun = truth.Where(t => runImages.Contains(t.Key)).ToDictionary();
            var gtPath = Path.Combine(outDir, RunArtifacts.GroundTruthFile);
            var score = IlsvrcScore.Compute(LocFile.Read(Path.Combine(outDir, "loc.csv")), ofRun, File.Exists(gtPath) ? LocFile.Read(gtPath) : null);
            string P(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%";
            html.Append($"<tr><th>scores ({score.Images} ground-truth images)</th><td>top-1 / top-5 localisation error {P(score.Top1LocalisationError)} / {P(score.Top5LocalisationError)}; ")
                .Append($"classification error {P(score.Top1ClassificationError)} / {P(score.Top5ClassificationError)}")
                .Append(score.GtKnownLocalisationAccuracy is { } k ? $"; GT-known localisation accuracy {P(k)}" : "").Append("</td></tr>");
        }
        html.Append(CompletenessReport.SummaryRow(run)).Append("</table>");
        if (run.TryGetProperty("timings", out var timings) && timings.ValueKind == JsonValueKind.Object)
        {
            html.Append("<table id=\"timings\"><tr><th colspan=\"2\">timings</th></tr>");
            foreach (var t in timings.EnumerateObject())
                html.Append($"<tr><td>{E(Words(t.Name))}</td><td class=\"number\">{E(Rounded(t.Value.ToString()))}{(t.Name.Contains("Seconds") || t.Name.Contains("seconds") ? " s" : "")}</td></tr>");
            html.Append("</table>");
        }
        if (run.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Object)
        {
            html.Append("<table id=\"options\"><tr><th colspan=\"2\">options</th></tr>");
            foreach (var o in options.EnumerateObject())
            {
                var text = o.Value.ToString();
                // A group of settings stored as one JSON string (the localiser's) reads as name-value pairs.
                if (text.StartsWith('{') && TryParse(text) is { } group)
                    text = string.Join(", ", group.RootElement.EnumerateObject().Select(g => $"{g.Name} {Rounded(g.Value.ToString())}"));
                html.Append($"<tr><td>{E(o.Name)}</td><td>{E(text)}</td></tr>");
            }
            html.Append("</table>");
        }
        html.Append("</div>");
    }

    /// <summary>The image id of an errors.csv row (file,image,status,reason).</summary>
    private static string ErrorImage(string row)
    {
        using var csv = new CsvParser(new StringReader(row), CultureInfo.InvariantCulture);
        return csv.Read() && csv.Record is { Length: > 1 } fields ? fields[1] : "";
    }

    private static JsonDocument? TryParse(string json)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException) { return null; }
    }

    /// <summary>camelCase to words: saliencySecondsPerImage, saliency seconds per image.</summary>
    private static string Words(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>A number rounded for reading; text that is not a number as it is.</summary>
    private static string Rounded(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v)) return text;
        double a = Math.Abs(v);
        return a == 0 ? "0" : a < 0.001 ? (v < 0 ? "> -0.001" : "< 0.001")
            : a >= 1000 ? v.ToString("F0", CultureInfo.InvariantCulture) : v.ToString("G3", CultureInfo.InvariantCulture);
    }

    /// <summary>A probability as a percentage rounded for reading, a bound where it would round to nothing.</summary>
    private static string Percent(string probability)
    {
        if (!double.TryParse(probability, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || !double.IsFinite(p)) return probability;
        double percent = 100 * p;
        return percent >= 1 ? percent.ToString("F1", CultureInfo.InvariantCulture) + "%"
            : percent >= 0.01 ? percent.ToString("F2", CultureInfo.InvariantCulture) + "%"
            : percent > 0 ? "<0.01%" : "0%";
    }

    private static List<(string Id, List<Guess> Guesses)> ReadPredictions(string path)
    {
        var byImage = new List<(string, List<Guess>)>();
        if (!File.Exists(path)) return byImage;
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        while (csv.Read())
        {
            var guess = new Guess(csv.GetField<int>("rank"), csv.GetField("wnid")!, csv.GetField("class")!, csv.GetField("probability")!, csv.GetField("score")!,
                new Box(csv.GetField<int>("xmin"), csv.GetField<int>("ymin"), csv.GetField<int>("xmax"), csv.GetField<int>("ymax")));
            var id = csv.GetField("image")!;
            if (byImage.Count == 0 || byImage[^1].Item1 != id) byImage.Add((id, []));
            byImage[^1].Item2.Add(guess);
        }
        return byImage;
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Sorting by a header click (numbers as numbers), filtering by text and to the failures; each image marks itself loaded.</summary>
    private const string Script = """
        const body = document.querySelector('#images tbody');
        const rows = Array.from(body.rows);
        const filter = document.getElementById('filter'), failures = document.getElementById('failures'), shown = document.getElementById('shown');
        function apply() {
          const text = filter.value.toLowerCase(); let n = 0;
          for (const r of rows) {
            const visible = (!text || r.textContent.toLowerCase().includes(text)) && (!failures.checked || r.dataset.ok === 'wrong');
            r.style.display = visible ? '' : 'none'; if (visible) n++;
          }
          shown.textContent = n + ' of ' + rows.length + ' images shown';
        }
        filter.addEventListener('input', apply); failures.addEventListener('change', apply);
        let order = 1;
        document.querySelectorAll('th[data-key]').forEach(th => th.addEventListener('click', () => {
          const key = th.dataset.key; order = -order;
          rows.sort((a, b) => { const x = a.dataset[key], y = b.dataset[key]; const u = parseFloat(x), v = parseFloat(y);
            return order * (isNaN(u) || isNaN(v) ? x.localeCompare(y) : u - v); });
          rows.forEach(r => body.appendChild(r));
        }));
        document.querySelectorAll('#images img').forEach(img => {
          const mark = () => img.setAttribute('data-loaded', img.naturalWidth > 0 ? 'yes' : 'no');
          if (img.complete) mark(); else { img.addEventListener('load', mark); img.addEventListener('error', mark); }
        });
        apply();
        """;
}
