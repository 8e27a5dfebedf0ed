using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenCvSharp;

namespace Pipeline.Tests;

/// <summary>report.html rendered by a real headless browser (Debian's chromium): rows, thumbnails, scripts and a screenshot.</summary>
public class ReportTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Run(int images = 3)
    {
        var dev = CommandLine.Shared("data", "ilsvrc-dev");
        var list = Path.Combine(_dir, "images.txt");
        File.WriteAllText(Path.Combine(_dir, "bad<name>.jpg"), "not an image");
        File.WriteAllLines(list, [.. Directory.GetFiles(Path.Combine(dev, "images")).Order(StringComparer.Ordinal).Take(images), Path.Combine(_dir, "bad<name>.jpg")]);
        var output = Path.Combine(_dir, "out");
        var (code, _, stderr) = CommandLine.Run("run", "--model", model.Model, "--images", list, "--out", output, "--crops", "1", "--device", "cpu", "--quiet",
            "--truth", Path.Combine(dev, "LOC_val_solution.csv"));
        Assert.True(code == 0, stderr);
        return output;
    }

    private static string Chromium(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", .. args]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "chromium did not finish");
        return stdout.Result;
    }

    [Fact]
    public void The_report_renders_a_row_per_scored_image_with_its_thumbnail_and_lists_the_failed_file()
    {
        var output = Run();
        var dom = Chromium("--virtual-time-budget=5000", "--dump-dom", new Uri(Path.Combine(output, "report.html")).AbsoluteUri);

        var rows = Regex.Matches(dom, "<tr data-id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(File.ReadAllLines(Path.Combine(output, "loc.csv")).Skip(1).Select(l => l.Split(',')[0]), rows);
        // Every thumbnail loaded (the page's script marks each image once the browser has decoded it).
        Assert.Equal(3, Regex.Matches(dom, "data-loaded=\"yes\"").Count);
        Assert.Equal(3, rows.Count);
        Assert.Contains("3 of 3 images shown", dom);
        // Five guesses per image, each with its IoU against the ground truth and a verdict.
        Assert.Equal(15, Regex.Matches(dom, "<div class=\"guess\">").Count);
        Assert.Equal(15, Regex.Matches(dom, "IoU \\d\\.\\d\\d <span class=\"(right|wrong)\">").Count);
        // The file that could not be scored is listed, its name escaped.
        Assert.Contains("bad&lt;name&gt;.jpg", dom);
        Assert.Contains("top-1 / top-5 localisation error", dom);
    }

    /// <summary>
    /// Six images scored against the whole dev truth file: the report scores those six, as eval does
    /// on a truth file cut to them, and the page fits a 1280-pixel window without a horizontal scrollbar.
    /// </summary>
    [Fact]
    public void A_six_image_run_scores_its_six_images_and_fits_the_window()
    {
        var output = Run(6);
        var report = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("scores (6 ground-truth images)", report);
        Assert.DoesNotContain("shard", report);

        var ids = File.ReadAllLines(Path.Combine(output, "loc.csv")).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.Equal(6, ids.Count);
        var cut = Path.Combine(_dir, "six.csv");
        var dev = CommandLine.Shared("data", "ilsvrc-dev");
        File.WriteAllLines(cut, File.ReadAllLines(Path.Combine(dev, "LOC_val_solution.csv")).Where((l, i) => i == 0 || ids.Contains(l.Split(',')[0])));
        var (code, stdout, stderr) = CommandLine.Run("eval", "--pred", Path.Combine(output, "loc.csv"), "--truth", cut);
        Assert.True(code == 0, stderr);
        string Line(string name) => stdout.Split('\n').Single(l => l.StartsWith(name))[name.Length..].Trim();
        Assert.Contains($"top-1 / top-5 localisation error {Line("top-1 localisation error")} / {Line("top-5 localisation error")}; " +
            $"classification error {Line("top-1 classification error")} / {Line("top-5 classification error")}", report);

        // The page measures itself in the browser: how far its content reaches past the window's width.
        var measured = Path.Combine(output, "measured.html");
        File.WriteAllText(measured, report.Replace("</body>",
            "<script>document.body.setAttribute('data-overflow', document.documentElement.scrollWidth - document.documentElement.clientWidth)</script></body>"));
        var dom = Chromium("--virtual-time-budget=5000", "--window-size=1280,900", "--dump-dom", new Uri(measured).AbsoluteUri);
        Assert.Matches("data-overflow=\"(0|-\\d+)\"", dom);
    }

    [Fact]
    public void Screenshot_of_the_report_shows_the_page()
    {
        var output = Run();
        var png = Path.Combine(_dir, "report.png");
        Chromium("--virtual-time-budget=5000", $"--screenshot={png}", "--window-size=1200,900", new Uri(Path.Combine(output, "report.html")).AbsoluteUri);
        using var shot = Cv2.ImRead(png);
        Assert.Equal((1200, 900), (shot.Width, shot.Height));
        // Not a blank page: text, tables and the colourful saliency thumbnails give many distinct colours.
        shot.GetArray(out Vec3b[] pixels);
        Assert.True(pixels.Select(p => (p.Item0 / 16, p.Item1 / 16, p.Item2 / 16)).Distinct().Count() > 200, "the screenshot is nearly uniform");
    }
}
