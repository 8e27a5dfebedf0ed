using System.CommandLine;
using GradientGraphs.Building;
using Pipeline.Cli;
using Pipeline.Localisation;
using Pipeline.Runs;

namespace Pipeline.Tests;

/// <summary>
/// One CLI vocabulary: choices refused in one line listing their names, defaults from the code that
/// applies them, renamed options still answering to their old names (hidden from help), and run's
/// localiser settings refused for a localiser they do not apply to. Parsed to run's request, no run.
/// </summary>
public class CliVocabularyTests
{
    private static readonly string[] Required = ["run", "--model", "m.onnx", "--images", "imgs", "--out", "out"];

    private static RunRequest Request(params string[] extra)
    {
        var root = PipelineCli.Root();
        var parse = root.Parse(CommandLine.Quietly(() => OldNames.Rewrite(root, [.. Required, .. extra])));
        Assert.Empty(parse.Errors);
        return RunCommand.Read(parse);
    }

    [Theory]
    [InlineData("run", "--localiser", "blob", "expected mass-box, threshold-box, paper, quantile-box or whole")]
    [InlineData("run", "--map", "gradcam", "expected saliency, cam, saliency-x-cam, ")]
    [InlineData("run", "--crops", "3", "expected 10 or 1")]
    [InlineData("run", "--format", "xml", "expected kaggle or devkit")]
    [InlineData("run", "--device", "tpu", "expected auto, cpu, cuda or cuda:ID")]
    [InlineData("bench", "--device", "cuda:x", "expected auto, cpu, cuda or cuda:ID")]
    [InlineData("bench", "--clock", "sun", "expected wall or cpu")]
    [InlineData("eval", "--protocol", "voc", "expected ilsvrc or maxboxacc")]
    [InlineData("export-grad", "--rule", "magic", "expected gradient, deconvnet or guided")]
    [InlineData("export-explainer", "--input", "jpeg", "expected bytes or pixels")]
    public void Every_choice_refuses_other_names_in_one_line_listing_its_names(string command, string option, string value, string expected)
    {
        var (code, stdout, stderr) = CommandLine.Run(command, "--model", "m.onnx", "--out", "o", option, value);
        Assert.Equal(2, code);
        Assert.Contains($"{option} '{value}': {expected}", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void A_choice_whose_value_does_not_print_as_its_name_still_takes_its_default()
    {
        var option = Choice.Of("--x", "test", [("a", 5), ("b", 7)], "b");
        var command = new RootCommand { option };
        Assert.Equal(7, command.Parse([]).GetValue(option));
        Assert.Equal(5, command.Parse(["--x", "a"]).GetValue(option));
    }

    [Fact]
    public void Device_is_auto_by_default_in_every_command_that_runs_a_model()
    {
        Assert.Equal(new Inference.DeviceChoice("auto"), Request().Device);
        foreach (var command in new[] { "run", "bench", "visualise" })
        {
            var (_, help, _) = CommandLine.Run(command, "--help");
            Assert.Contains("[default: auto]", help.Split('\n').Single(l => l.TrimStart().StartsWith("--device")));
        }
        Assert.Equal(new Inference.DeviceChoice("cuda", 3), Request("--device", "cuda:3").Device);
    }

    [Fact]
    public void Help_shows_the_defaults_the_code_applies()
    {
        var (_, help, _) = CommandLine.Run("run", "--help");
        string Line(string option) => help.Split('\n').Single(l => l.TrimStart().StartsWith(option + " "));
        Assert.Contains($"[default: {new MassBoxOptions().MassTail}]", Line("--mass-tail"));
        Assert.Contains($"[default: {new ThresholdBoxOptions().Threshold}]", Line("--threshold"));
        Assert.Contains($"[default: {Localiser.Default.Name}]", Line("--localiser"));
        Assert.Contains($"gradient {RuleDefaults.BoxSigma(AttributionMethod.Gradient)}, guided and deconvnet {RuleDefaults.BoxSigma(AttributionMethod.Guided)}", Line("--box-sigma"));
        Assert.Contains($"(default: {RunCommand.DefaultParallelImages},", Line("--parallel-images"));
        var request = Request();
        Assert.Equal((5, 10, "kaggle", 1024, 1), (request.Explain.Top, request.Explain.Crops, request.Format, request.Explain.WorkingSide, request.Explain.Smooth.Copies));
        Assert.IsType<MassBoxLocaliser>(request.Explain.Localiser);
    }

    [Theory]
    [InlineData("--method", "--localiser", "threshold-box")]
    [InlineData("--smoothing", "--box-sigma", "0.1")]
    [InlineData("--smooth", "--smoothgrad", "4")]
    public void An_old_option_name_gives_the_same_request_as_the_new_one_with_a_note_and_is_hidden_from_help(string old, string current, string value)
    {
        var extra = old == "--method" ? Array.Empty<string>() : ["--noise", "0.1"];
        var byNew = Request([current, value, .. extra]);
        var byOld = Request([old, value, .. extra]);
        Assert.Equal(byNew.OutputOptions(), byOld.OutputOptions());
        var (code, _, stderr) = CommandLine.Run([.. Required, old, "bad value"]);
        Assert.Equal(2, code);
        Assert.Contains($"note: {old} is now {current}", stderr);
        var (_, help, _) = CommandLine.Run("run", "--help");
        Assert.Contains(current + " ", help);
        Assert.DoesNotContain(old + " ", help);
        Assert.DoesNotContain(old + ",", help);
    }

    [Theory]
    [InlineData("mass-box", "--threshold", "0.3", "threshold-box")]
    [InlineData("mass-box", "--all-regions", null, "threshold-box")]
    [InlineData("threshold-box", "--mass-power", "2", "mass-box")]
    [InlineData("paper", "--box-sigma", "0.1", "mass-box and threshold-box")]
    [InlineData("whole", "--fg-quantile", "0.9", "paper and quantile-box")]
    [InlineData("quantile-box", "--components", "3", "paper")]
    public void A_setting_for_another_localiser_is_refused_in_one_line(string localiser, string option, string? value, string appliesTo)
    {
        string[] given = value == null ? [option] : [option, value];
        var (code, _, stderr) = CommandLine.Run([.. Required, "--localiser", localiser, .. given]);
        Assert.Equal(2, code);
        Assert.Equal($"error: {option} applies to {appliesTo}, not to --localiser {localiser}", stderr.Trim());
    }

    [Fact]
    public void Each_localiser_takes_its_own_settings_and_only_they_enter_the_fingerprint()
    {
        var threshold = Request("--localiser", "threshold-box", "--threshold", "0.3", "--all-regions", "--box-sigma", "0.01");
        Assert.Equal(new ThresholdBoxOptions { Threshold = 0.3, AllRegions = true, BoxSigma = 0.01 }, ((ThresholdBoxLocaliser)threshold.Explain.Localiser).Options);
        Assert.Equal("{\"boxSigma\":0.01,\"threshold\":0.3,\"allRegions\":true}", threshold.OutputOptions()["localiser options"]);
        var paper = Request("--localiser", "paper", "--fg-quantile", "0.9", "--bg-quantile", "0.2", "--components", "3");
        Assert.Equal(new PaperOptions { ForegroundQuantile = 0.9, BackgroundQuantile = 0.2, Components = 3 }, ((PaperLocaliser)paper.Explain.Localiser).Options);
        Assert.Equal("{\"foregroundQuantile\":0.9}", Request("--localiser", "quantile-box", "--fg-quantile", "0.9").OutputOptions()["localiser options"]);
        Assert.Equal("{}", Request("--localiser", "whole").OutputOptions()["localiser options"]);
        // The mass box's open settings stay open until the model's rule is known.
        Assert.Equal("{\"boxSigma\":null,\"massTail\":0.05,\"massPower\":null}", Request().OutputOptions()["localiser options"]);
        var (code, _, stderr) = CommandLine.Run([.. Required, "--localiser", "paper", "--bg-quantile", "0.96"]);
        Assert.Equal(2, code);
        Assert.Contains("--bg-quantile 0.96: expected a value in [0, 0.95) (below --fg-quantile)", stderr);
    }

    /// <summary>"localisation options" as the version before per-localiser settings wrote it (run-state.json of real runs, tiny darknet).</summary>
    private const string EarlierGradientBag = "{\"ForegroundQuantile\":0.95,\"BackgroundQuantile\":0.3,\"Components\":5,\"Iterations\":5,\"SegmentationSide\":320,\"MinimumSeeds\":20,\"Smoothing\":0.02,\"MassTail\":0.05,\"MassPower\":2,\"Threshold\":0.2,\"AllRegions\":false,\"SmoothingValue\":0.02,\"MassPowerValue\":2}";
    private const string EarlierGuidedBag = "{\"ForegroundQuantile\":0.95,\"BackgroundQuantile\":0.3,\"Components\":5,\"Iterations\":5,\"SegmentationSide\":320,\"MinimumSeeds\":20,\"Smoothing\":0.05,\"MassTail\":0.05,\"MassPower\":1,\"Threshold\":0.2,\"AllRegions\":false,\"SmoothingValue\":0.05,\"MassPowerValue\":1}";

    [Theory]
    [InlineData("mass-box", AttributionMethod.Gradient, EarlierGradientBag)]
    [InlineData("threshold-box", AttributionMethod.Gradient, EarlierGradientBag)]
    [InlineData("paper", AttributionMethod.Gradient, EarlierGradientBag)]
    [InlineData("mass-box", AttributionMethod.Guided, EarlierGuidedBag)]
    public void The_earlier_form_of_a_runs_options_is_what_the_earlier_version_wrote(string localiser, AttributionMethod rule, string written)
    {
        var request = Request("--localiser", localiser);
        request = request with { Explain = request.Explain with { Localiser = request.Explain.Localiser.ForRule(rule) } };
        var earlier = request.EarlierOptions(rule);
        Assert.Equal(written, earlier["localisation options"]);
        Assert.Equal(localiser, earlier["--method"]);
        Assert.Equal("1 x 0", earlier["--smooth"]);
        Assert.DoesNotContain("--localiser", earlier.Keys);
    }
}
