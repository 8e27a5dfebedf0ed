using Xunit.Abstractions;
using Xunit.Sdk;

namespace GradientGraphs.Tests.Support;

/// <summary>
/// The torch oracle's fixtures for a test class. A build takes minutes, so each is announced on the
/// console as an xunit diagnostic message (shown by `dotnet test`: xunit.runner.json turns them on).
/// </summary>
public sealed class TorchOracleFixtures(IMessageSink console)
{
    public TorchOracle For(string arch, string rules) =>
        TorchOracle.For(arch, rules, Say);

    /// <summary>The model file of the same architecture exported with a dynamic batch axis.</summary>
    public string DynamicBatchModel(string arch) => TorchOracle.DynamicBatchModel(arch, Say);

    private void Say(string line) => console.OnMessage(new DiagnosticMessage(line));
}
