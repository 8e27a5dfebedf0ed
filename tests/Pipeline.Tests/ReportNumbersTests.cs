using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>
/// report.html's numbers on a run folder written by hand, every expected figure worked out by hand:
/// percentages, rounded timings, options as rows, the IoU of a wrong-class guess, and scores over the
/// run's own images when the truth file has more.
/// </summary>
public class ReportNumbersTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-report-numbers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Report(string shard)
    {
        var truth = Path.Combine(_dir, "truth.csv");
        // Three truth images, of which the run saw two: img1 (a 10x10 box) and img2 (20x20).
        File.WriteAllLines(truth, ["ImageId,PredictionString", "img1,n001 0 0 9 9", "img2,n002 0 0 19 19", "other,n003 0 0 9 9"]);
        var run = Path.Combine(_dir, "run-" + shard.Replace('/', '-'));
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "run.json"), $$"""
            {"model": "m.onnx", "modelSha256": "ab12", "method": "mass-box", "device": "cpu", "shard": "{{shard}}", "truth": {{System.Text.Json.JsonSerializer.Serialize(truth)}},
             "images": 2, "skipped": 0, "errors": 0, "warnings": 0,
             "timings": {"sessionSeconds": 12.3456789, "secondsPerImage": 1234.5678, "saliencySecondsPerImage": 0.000123},
             "options": {"--top": "5", "localisation options": "{\"Smoothing\":0.0200000001,\"MassTail\":0.05}" }
            }
            """);
        File.WriteAllLines(Path.Combine(run, "predictions.csv"),
        [
            "image,rank,wnid,class,probability,score,xmin,ymin,xmax,ymax",
            // Wrong class over half of img1's box: intersection 5x10 = 50, union 100 + 100 - 50 = 150, IoU 0.33.
            "img1,1,n009,nine,0.9731,12.3456,5,0,14,9",
            "img1,2,n001,one,8.14499E-05,1.5,0,0,9,9",
            // Right class, half of img2's box: 200 / 400 = 0.50, which counts (IoU >= 0.5).
            "img2,1,n002,two,0.004567,3,0,0,9,19",
        ]);
        File.WriteAllLines(Path.Combine(run, "loc.csv"), ["ImageId,PredictionString", "img1,n009 5 0 14 9 n001 0 0 9 9", "img2,n002 0 0 9 19"]);
        File.WriteAllLines(Path.Combine(run, "errors.csv"), ["file,image,status,reason"]);
        HtmlReport.Write(run);
        return File.ReadAllText(Path.Combine(run, "report.html"));
    }

    [Fact]
    public void A_wrong_class_guess_shows_its_real_overlap()
    {
        var html = Report("0/1");
        Assert.Contains("nine (n009) 97.3% score 12.3 box 5,0,14,9 IoU 0.33 <span class=\"wrong\">wrong class</span>", html);
        Assert.Contains("one (n001) &lt;0.01% score 1.5 box 0,0,9,9 IoU 1.00 <span class=\"right\">right</span>", html);
        Assert.Contains("two (n002) 0.46% score 3 box 0,0,9,19 IoU 0.50 <span class=\"right\">right</span>", html);
        Assert.DoesNotContain("p=", html);
        Assert.DoesNotContain("E-05", html);
    }

    [Fact]
    public void Scores_count_only_the_images_of_the_run()
    {
        var html = Report("0/1");
        // img1: top-1 is the wrong class, top-5 holds n001 at IoU 1; img2: top-1 right at IoU 0.5. Over 2 images, not 3.
        Assert.Contains("scores (2 ground-truth images)", html);
        Assert.Contains("top-1 / top-5 localisation error 50.0% / 0.0%; classification error 50.0% / 0.0%", html);
    }

    [Fact]
    public void Timings_and_options_are_rounded_rows_not_json()
    {
        var html = Report("0/1");
        Assert.Contains("<td>session seconds</td><td class=\"number\">12.3 s</td>", html);
        Assert.Contains("<td>seconds per image</td><td class=\"number\">1235 s</td>", html);
        Assert.Contains("<td>saliency seconds per image</td><td class=\"number\">&lt; 0.001 s</td>", html);
        Assert.Contains("<td>--top</td><td>5</td>", html);
        Assert.Contains("<td>localisation options</td><td>Smoothing 0.02, MassTail 0.05</td>", html);
        Assert.DoesNotContain("sessionSeconds", html);
        Assert.DoesNotContain("&quot;", html);
    }

    [Fact]
    public void Only_a_sharded_run_names_its_shard()
    {
        Assert.Contains("<td>mass-box, cpu</td>", Report("0/1"));
        Assert.Contains("<td>mass-box, cpu, shard 2/4</td>", Report("2/4"));
        Assert.Contains("<td>mass-box, cpu, shard merged</td>", Report("merged"));
    }
}
