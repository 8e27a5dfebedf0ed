using Pipeline.Cli;
using Pipeline.Runs;
using Pipeline.Saliency;

namespace Pipeline.Tests;

/// <summary>
/// --ig-rule against run folders and map caches made before it existed (midpoint rule, no rule named):
/// the midpoint rule writes the run options and cache key the earlier version wrote (its source: no
/// "--map settings" at black, 32 steps; key "map integrated-gradients STEPS [BASELINE]"), so such a run
/// resumes and its cache is reused under --ig-rule midpoint; Gauss-Legendre, the default, differs in
/// both, so the default never continues an earlier run or reads its maps. Parsed to run's request, no run.
/// </summary>
public class IntegratedGradientsRuleKeyTests
{
    private static RunRequest Request(params string[] extra)
    {
        var root = PipelineCli.Root();
        var parse = root.Parse(["run", "--model", "m.onnx", "--images", "imgs", "--out", "out", "--map", "integrated-gradients", .. extra]);
        Assert.Empty(parse.Errors);
        return RunCommand.Read(parse);
    }

    [Fact]
    public void The_midpoint_rule_keeps_the_earlier_run_options_and_cache_key_and_the_default_does_not()
    {
        var midpoint = Request("--ig-rule", "midpoint");
        Assert.DoesNotContain("--map settings", midpoint.OutputOptions().Keys);
        Assert.Equal("\nmap integrated-gradients 32", midpoint.Explain.Map.KeyPart);
        Assert.Equal("\nmap integrated-gradients 16 blur", Request("--ig-rule", "midpoint", "--ig-steps", "16", "--ig-baseline", "blur").Explain.Map.KeyPart);
        Assert.Equal("blur baseline, 16 steps", Request("--ig-rule", "midpoint", "--ig-steps", "16", "--ig-baseline", "blur").OutputOptions()["--map settings"]);

        var byDefault = Request();
        Assert.Equal(PathRule.GaussLegendre, ((IntegratedGradientsMethod)byDefault.Explain.Map).Rule);
        Assert.Equal("black baseline, 32 steps, gauss-legendre rule", byDefault.OutputOptions()["--map settings"]);
        Assert.NotEqual(midpoint.Explain.Map.KeyPart, byDefault.Explain.Map.KeyPart);
        // One point is the same under both rules, yet each keeps its own key.
        Assert.NotEqual(Request("--ig-rule", "midpoint", "--ig-steps", "1").Explain.Map.KeyPart, Request("--ig-steps", "1").Explain.Map.KeyPart);
    }
}
