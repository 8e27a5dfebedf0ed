using Google.Protobuf;
using GradientGraphs.Onnx;
using Onnx;

namespace Pipeline.Tests;

public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_unknown_rule_is_a_usage_error_listing_the_rules_not_a_type_name()
    {
        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", CosModel(), "--out", Path.Combine(_dir, "x.onnx"), "--rule", "magic");

        Assert.Equal(2, code);
        Assert.Contains("--rule 'magic': expected gradient, deconvnet or guided", stderr);
        Assert.DoesNotContain("GradientGraphs.", stderr);
    }

    [Fact]
    public void Export_grad_refuses_an_unsupported_op_in_one_line_and_writes_nothing()
    {
        var source = CosModel();
        var target = Path.Combine(_dir, "cos_grad.onnx");

        var (code, _, stderr) = CommandLine.Run("export-grad", "--model", source, "--out", target);

        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("Cos", stderr);
        Assert.Contains("cos_node", stderr);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Inspect_reports_a_model_it_cannot_differentiate_on_stderr_with_exit_code_1()
    {
        var source = CosModel();

        var (code, stdout, stderr) = CommandLine.Run("inspect", "--model", source);

        Assert.Equal(1, code);
        Assert.Contains("NO RULE", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("cos_node", stderr);
    }

    [Fact]
    public void A_native_library_that_does_not_load_is_one_line_naming_it_and_the_setup_script()
    {
        // What OpenCvSharp throws on a machine without libgtk-3: the load failure wrapped in a type initializer.
        var failure = new TypeInitializationException("OpenCvSharp.Internal.NativeMethods",
            new DllNotFoundException("Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies. In order to help diagnose..."));
        var message = Pipeline.NativeLibraries.Missing(failure);
        Assert.Equal("a native library does not load (Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies); run scripts/setup.sh (OpenCV needs Debian's libgtk-3-0)", message);
        Assert.Null(Pipeline.NativeLibraries.Missing(new InvalidOperationException("other")));
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_named_in_the_error()
    {
        var bad = Path.Combine(_dir, "notes.onnx");
        File.WriteAllText(bad, "not a model");
        var (code, _, stderr) = CommandLine.Run("inspect", "--model", bad);
        Assert.Equal(1, code);
        Assert.Contains(bad, stderr);
    }

    /// <summary>x -> Cos -> y: an op without a gradient rule.</summary>
    private string CosModel()
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(Value("x", [1, 3, 4, 4]));
        graph.Node.Add(new NodeProto { OpType = "Cos", Name = "cos_node", Input = { "x" }, Output = { "y" } });
        graph.Output.Add(Value("y", [1, 3, 4, 4]));
        var source = Path.Combine(_dir, "cos.onnx");
        File.WriteAllBytes(source, new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } } }.ToByteArray());
        return source;
    }

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var v = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float, Shape = new TensorShapeProto() } } };
        foreach (var d in shape) v.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return v;
    }
}
