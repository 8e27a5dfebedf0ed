namespace Pipeline.Tests;

/// <summary>
/// `run --device auto` on a machine where CUDA does not load says so in one calm line, says nothing
/// under --quiet, and gives the provider's reason only with PIPELINE_DEBUG=1. Each run is its own
/// process, since the notice is given once per process.
/// </summary>
public class DeviceNoticeTests(TinyDarknetFixture tiny) : IClassFixture<TinyDarknetFixture>
{
    private static readonly bool Cuda = CudaFactAttribute.CudaLoads(out _);

    private string[] Notices(string name, Dictionary<string, string?> environment, params string[] extra)
    {
        var images = Path.Combine(tiny.Dir, name + "-images");
        Directory.CreateDirectory(images);
        File.Copy(CommandLine.Shared("data", "photos", "parrot.jpg"), Path.Combine(images, "parrot.jpg"), overwrite: true);
        var (code, _, stderr) = Subprocess.Run(environment,
            ["run", "--model", tiny.Model, "--images", images, "--out", Path.Combine(tiny.Dir, name), "--crops", "1", "--top", "1", "--device", "auto", "--no-report", .. extra]);
        Assert.True(code == 0, stderr);
        return stderr.Split('\n').Select(l => l.Trim('\r')).Where(l => l.StartsWith("notice:")).ToArray();
    }

    [Fact]
    public void Cpu_fallback_is_one_calm_line()
    {
        var notices = Notices("plain", new() { ["PIPELINE_DEBUG"] = null });
        if (Cuda) Assert.Empty(notices);
        else Assert.Equal(["notice: no CUDA here; running on the CPU"], notices);
    }

    [Fact]
    public void Quiet_gives_no_device_notice()
    {
        Assert.Empty(Notices("quiet", new() { ["PIPELINE_DEBUG"] = null }, "--quiet"));
    }

    [Fact]
    public void Debug_names_the_reason()
    {
        var notices = Notices("debug", new() { ["PIPELINE_DEBUG"] = "1" });
        if (Cuda) { Assert.Empty(notices); return; }
        var line = Assert.Single(notices);
        Assert.StartsWith("notice: no CUDA here (", line);
        Assert.EndsWith("); running on the CPU", line);
    }
}
