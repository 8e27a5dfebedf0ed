using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Tests;

/// <summary>
/// report.html of a real Integrated Gradients run shows the completeness check: the summary's counts,
/// median and worst error, and each image's top-class error, all as completeness/completeness.csv has
/// them (read here independently), an error over the paper's 5% marked; a run of another map shows none.
/// </summary>
public class ReportCompletenessTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-report-completeness-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Run(string name, params string[] map)
    {
        var list = Path.Combine(_dir, "images.txt");
        File.WriteAllLines(list, Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(3));
        var output = Path.Combine(_dir, name);
        var (code, _, stderr) = CommandLine.Run(["run", "--model", model.Model, "--images", list, "--out", output, "--crops", "1", "--top", "2",
            "--device", "cpu", "--threads", "2", "--quiet", .. map]);
        Assert.True(code == 0, stderr);
        return output;
    }

    /// <summary>A percentage as shown to one decimal against the file's fraction.</summary>
    private static void ShownAs(double fraction, string shown)
    {
        var match = Regex.Match(shown, @"^(\d+\.\d)%$");
        Assert.True(match.Success, shown);
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 100 * fraction - 0.0501, 100 * fraction + 0.0501);
    }

    [Fact]
    public void The_report_shows_the_summary_and_each_images_top_class_error_as_completeness_csv_has_them()
    {
        var output = Run("ig", "--map", "integrated-gradients");
        var rows = File.ReadAllLines(Path.Combine(output, "completeness", "completeness.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Image: f[0], Rank: f[1], Error: double.Parse(f[5], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(6, rows.Count); // three images, two classes each
        var errors = rows.Select(r => r.Error).Order().ToList();
        double median = (errors[2] + errors[3]) / 2;
        int over = errors.Count(e => e > 0.05);
        var report = File.ReadAllText(Path.Combine(output, "report.html"));

        var summary = Regex.Match(report, @"<td id=""completeness"">(\d+) image-classes checked in (\d+) images; <span class=""(\w+)"">(\d+) over the 5.0% bound</span>; error median ([^,]+), worst ([^ ]+) ");
        Assert.True(summary.Success, report);
        Assert.Equal(("6", "3", over.ToString(CultureInfo.InvariantCulture), over > 0 ? "wrong" : "right"),
            (summary.Groups[1].Value, summary.Groups[2].Value, summary.Groups[4].Value, summary.Groups[3].Value));
        ShownAs(median, summary.Groups[5].Value);
        ShownAs(errors[^1], summary.Groups[6].Value);

        Assert.Contains("<th data-key=\"completeness\">completeness error (top class)</th>", report);
        var cells = Regex.Matches(report, @"<tr data-id=""([^""]+)""[^>]*>.*?<td class=""number( wrong)?"">([^<]+)</td></tr>");
        Assert.Equal(3, cells.Count);
        foreach (Match cell in cells)
        {
            var top = rows.Single(r => r.Image == cell.Groups[1].Value && r.Rank == "1");
            var text = cell.Groups[3].Value;
            bool marked = top.Error > 0.05;
            Assert.Equal(marked, cell.Groups[2].Success);
            Assert.Equal(marked, text.EndsWith(" over 5.0%"));
            ShownAs(top.Error, text.Replace(" over 5.0%", ""));
        }
    }

    /// <summary>Both sides of the bound and the infinite error, whichever side the run's images fall on.</summary>
    [Theory]
    [InlineData(0.04, "<td class=\"number\">4.0%</td>")]
    [InlineData(0.05, "<td class=\"number\">5.0%</td>")]
    [InlineData(0.0612, "<td class=\"number wrong\">6.1% over 5.0%</td>")]
    [InlineData(double.PositiveInfinity, "<td class=\"number wrong\">infinite over 5.0%</td>")]
    public void An_images_cell_marks_an_error_over_five_percent(double error, string cell)
    {
        Assert.Equal(cell, Runs.CompletenessReport.Cell(new() { ["a"] = error }, "a"));
        Assert.Equal("<td class=\"number\">-</td>", Runs.CompletenessReport.Cell(new() { ["a"] = error }, "b"));
    }

    [Fact]
    public void A_run_of_another_map_has_no_completeness_in_its_report()
    {
        var report = File.ReadAllText(Path.Combine(Run("saliency"), "report.html"));
        Assert.DoesNotContain("completeness", report);
        Assert.Contains("<tr data-id=", report);
    }
}
