using System.Diagnostics;

namespace GradientGraphs.Tests.Support;

/// <summary>
/// Reference gradients from PyTorch autograd (tests/oracle/torch_oracle.py, run with Debian's
/// python3-torch). Fixtures are made once per architecture and kept in a cache folder.
/// </summary>
public sealed class TorchOracle
{
    public required string Directory { get; init; }
    public required int Batch { get; init; }
    public required int Classes { get; init; }
    public required int Size { get; init; }

    public long[] ImageShape => [Batch, 3, Size, Size];
    public string Model(int opset) => Path.Combine(Directory, $"model_opset{opset}.onnx");
    public float[] Image => ReadFloats("image.bin");
    public float[] Logits => ReadFloats("logits.bin");
    public float[] Gradient(string rule) => ReadFloats($"grad_{rule}.bin");

    public long[][] ClassIndex
    {
        get
        {
            var bytes = File.ReadAllBytes(Path.Combine(Directory, "classes.bin"));
            var all = new long[bytes.Length / 8];
            Buffer.BlockCopy(bytes, 0, all, 0, bytes.Length);
            return all.Chunk(Classes).ToArray();
        }
    }

    private float[] ReadFloats(string file) => ReadFloats(Directory, file);

    /// <summary>
    /// $PIPELINE_ORACLE_CACHE, else ~/.cache/pipeline/oracle (XDG's cache folder): building every
    /// fixture takes most of an hour, so they are kept where a reboot does not clear them.
    /// </summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("PIPELINE_ORACLE_CACHE") is { Length: > 0 } c ? c
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "pipeline", "oracle");

    /// <summary>The fixtures for one architecture, built first if the cache lacks them; <paramref name="say"/> hears one line per build.</summary>
    public static TorchOracle For(string arch, string rules, Action<string> say)
    {
        var dir = Fixture(["torch_oracle.py"], $"{arch}-{rules.Replace(',', '-')}", ["--arch", arch, "--rules", rules], say);
        var meta = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json"))).RootElement;
        return new TorchOracle
        {
            Directory = dir,
            Batch = meta.GetProperty("batch").GetInt32(),
            Classes = meta.GetProperty("classes").GetInt32(),
            Size = meta.GetProperty("size").GetInt32(),
        };
    }

    /// <summary>
    /// The same architecture and weights exported with a dynamic batch axis, as a user would
    /// (tests/oracle/torch_oracle_dynamic.py, opset 17): the model file, built first if the cache lacks it.
    /// </summary>
    public static string DynamicBatchModel(string arch, Action<string> say) =>
        Path.Combine(Fixture(["torch_oracle_dynamic.py", "torch_oracle.py"], $"{arch}-dynamic-batch", ["--arch", arch], say), "model_opset17.onnx");

    /// <summary>
    /// A fixture folder made by scripts[0] (which may import the others), keyed by the scripts'
    /// content, so a changed oracle makes new ones.
    /// </summary>
    private static string Fixture(string[] scripts, string name, string[] arguments, Action<string> say)
    {
        var paths = scripts.Select(s => Path.Combine(RepositoryRoot(), "tests", "oracle", s)).ToArray();
        var version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(paths.SelectMany(File.ReadAllBytes).ToArray()))[..12];
        var dir = Path.Combine(CacheRoot, $"{name}-{version}");
        if (File.Exists(Path.Combine(dir, "meta.json"))) return dir;
        say($"torch oracle: building the {name} fixture into {dir}; kept for later runs");
        // Built beside its final name and moved in whole, so an interrupted build is never taken for a fixture.
        var building = $"{dir}.building-{Environment.ProcessId}";
        var python = Environment.GetEnvironmentVariable("PIPELINE_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        var start = new ProcessStartInfo(python, ["-W", "ignore", paths[0], .. arguments, "--out", building])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{python} {paths[0]} {string.Join(" ", arguments)} failed (is python3-torch installed? .ci/run installs it):\n{stderr.Result}");
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true); // a stale, incomplete one
        try { System.IO.Directory.Move(building, dir); }
        catch (IOException) when (File.Exists(Path.Combine(dir, "meta.json"))) { System.IO.Directory.Delete(building, recursive: true); } // another process finished first
        return dir;
    }

    /// <summary>
    /// Attributions of this fixture's network by tests/oracle/torch_attributions.py (Integrated
    /// Gradients, Input x Gradient, Grad-CAM++), made once per arguments (with the content of any file
    /// they name) and script version, and kept in the cache; the folder holding them.
    /// </summary>
    public string Attributions(IReadOnlyList<string> arguments, Action<string> say)
    {
        var key = arguments.SelectMany(a => File.Exists(a) ? File.ReadAllBytes(a) : System.Text.Encoding.UTF8.GetBytes(a + "\n")).ToArray();
        var name = $"{Path.GetFileName(Directory)}-attributions-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key))[..12]}";
        return Fixture(["torch_attributions.py", "torch_oracle.py"], name, ["--fixture", Directory, .. arguments], say);
    }

    /// <summary>A float32 file of the torch scripts.</summary>
    public static float[] ReadFloats(string directory, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(directory, file));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries");
    }
}
