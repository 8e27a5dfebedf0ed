using System.Diagnostics;

namespace Pipeline.Tests;

/// <summary>
/// The scripts find a Python with the modules they need (Debian's, where setup.sh installs torch),
/// even when python3 on PATH is another one, or say in one line what is missing.
/// </summary>
public class ScriptPythonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-python-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CommandLine.Repository() };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("PIPELINE_PYTHON");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void A_missing_module_is_named_in_one_line()
    {
        var (code, stdout, stderr) = Start("bash", "scripts/python.sh", "numpy", "no_such_module_here");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("no_such_module_here", line);
        Assert.Contains("python3-no_such_module_here", line);
    }

    [Fact]
    public void The_python_found_imports_the_modules()
    {
        var (code, stdout, stderr) = Start("bash", "scripts/python.sh", "numpy");
        Assert.True(code == 0, stderr);
        var (imports, version, _) = Start(stdout.Trim(), "-c", "import numpy; print(numpy.__version__)");
        Assert.Equal(0, imports);
        Assert.NotEmpty(version.Trim());
    }

    /// <summary>A virtual environment's python3 sees no Debian packages, as pyenv's or conda's would not.</summary>
    [Fact]
    public void Export_script_run_by_a_python_without_torch_uses_debians()
    {
        var venv = Path.Combine(_dir, "venv");
        Assert.Equal(0, Start("/usr/bin/python3", "-m", "venv", "--without-pip", venv).Code);
        var python = Path.Combine(venv, "bin", "python3");
        Assert.NotEqual(0, Start(python, "-c", "import torch").Code);

        var source = Path.Combine(_dir, "squeezenet.onnx");
        var (code, _, stderr) = Start(python, "scripts/export_grad_onnx.py", "--arch", "squeezenet1_1", "--size", "64",
            "--source-out", source, "--out", Path.Combine(_dir, "unused.onnx"), "--pipeline", "true");
        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(source).Length > 1_000_000);
    }

    [Fact]
    public void Export_script_without_torch_anywhere_says_so_in_one_line()
    {
        // -S: Debian's own python3 without its site packages, so torch is missing with no other python to turn to.
        var (code, _, stderr) = Start("/usr/bin/python3", "-S", "scripts/export_grad_onnx.py", "--arch", "squeezenet1_1", "--out", Path.Combine(_dir, "x.onnx"), "--pipeline", "true");
        Assert.Equal(1, code);
        Assert.Equal("torch is missing for /usr/bin/python3: install python3-torch python3-torchvision (bash scripts/setup.sh)", stderr.Trim());
    }
}
