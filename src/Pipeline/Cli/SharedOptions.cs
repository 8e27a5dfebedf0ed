using System.CommandLine;
using Pipeline.Inference;

namespace Pipeline.Cli;

/// <summary>The options several commands take, declared once here with one default each.</summary>
public static class SharedOptions
{
    public static Option<FileInfo> Model(string description) => new("--model") { Description = description, Required = true };

    public static Option<DirectoryInfo> OutFolder(string description) => new("--out") { Description = description, Required = true };

    public static Option<FileInfo> OutFile(string description) => new("--out") { Description = description, Required = true };

    /// <summary>ONNX Runtime's intra-op threads; all the machine's cores unless told.</summary>
    public static Option<int> Threads(string description = "ONNX Runtime threads") =>
        Number.Of("--threads", description, 1, 1024, Environment.ProcessorCount);

    /// <summary>Where the model runs: auto (CUDA when its provider loads, else the CPU with a notice) for every command.</summary>
    public static Option<DeviceChoice> Device() =>
        Choice.Open("--device", "where the model runs: auto (CUDA when it loads, else the CPU), cpu, cuda, or cuda:ID (cuda fails when CUDA does not load)",
            ["auto", "cpu", "cuda", "cuda:ID"], text => DeviceChoice.TryParse(text) is { } d ? (true, d) : (false, null!), "auto");

    /// <summary>The card of a gradient model (see <see cref="Cards.CardChoice"/>).</summary>
    public static Option<FileInfo?> Card() =>
        new("--card") { Description = "model card JSON; needed when the model stores none, refused when it differs from the stored one (see --card-override)" };

    public static Option<bool> CardOverride() =>
        new("--card-override") { Description = "use --card although it differs from the card stored in the model (prints a notice)" };

    /// <summary>A backward rule of ReLU, by name.</summary>
    public static Option<GradientGraphs.Building.AttributionMethod> Rule(string description) =>
        Choice.Of("--rule", description, GradientGraphs.Building.AttributionMethod.Gradient);
}
