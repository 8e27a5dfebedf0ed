namespace Pipeline.Tests;

/// <summary>
/// A command writes its outputs and nothing else: run with HOME pointing at a fresh folder (and no
/// XDG_CACHE_HOME, so a cache would land under HOME), the folder stays empty. ONNX Runtime's
/// telemetry kept a device id and an event store there.
/// </summary>
public class HomeFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-home-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Export_grad_and_run_write_nothing_under_home()
    {
        var home = Directory.CreateDirectory(Path.Combine(_dir, "home")).FullName;
        var environment = new Dictionary<string, string?> { ["HOME"] = home, ["XDG_CACHE_HOME"] = null, ["ORT_DISABLE_TELEMETRY"] = null };
        var model = Path.Combine(_dir, "mnv2_grad.onnx");
        var (code, _, stderr) = Subprocess.Run(environment, "export-grad", "--model", CommandLine.Shared("models", "mobilenet_v2_1.0_224.onnx"),
            "--out", model, "--card", Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json"));
        Assert.True(code == 0, stderr);
        var list = Path.Combine(_dir, "images.txt");
        File.WriteAllLines(list, Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(1));
        var output = Path.Combine(_dir, "out");
        (code, _, stderr) = Subprocess.Run(environment, "run", "--model", model, "--images", list, "--out", output,
            "--crops", "1", "--device", "cpu", "--threads", "1", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(output, "loc.csv")));
        Assert.Empty(Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories));
    }
}
