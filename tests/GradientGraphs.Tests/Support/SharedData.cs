namespace GradientGraphs.Tests.Support;

/// <summary>Finds the read-only shared folder (models and images) beside the repository.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string Model(string file) => Path.Combine(Root, "models", file);

    public static string Models => Path.Combine(Root, "models");

    /// <summary>The CNTK ResNet-18 backbone that the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 ships.</summary>
    public static string CntkResNet18 => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_SHARED") is { Length: > 0 } fromEnvironment) return fromEnvironment;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models"))) return candidate;
        }
        throw new DirectoryNotFoundException("no 'shared' folder with models/ above the test binaries; set PIPELINE_SHARED");
    }
}
