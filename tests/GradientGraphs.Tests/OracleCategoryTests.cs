using System.Reflection;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests;

/// <summary>
/// The fast loop (README: `--filter "Category!=Oracle&Category!=Slow"`) leaves out exactly the
/// classes that need the torch oracle's fixtures: each of them carries the trait, no other class
/// does, and none here is marked slow.
/// </summary>
public class OracleCategoryTests
{
    private static IEnumerable<Type> TestClasses() => typeof(OracleCategoryTests).Assembly.GetTypes()
        .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()));

    private static bool Tagged(Type type, string category = "Oracle") => type.CustomAttributes
        .Any(a => a.AttributeType == typeof(TraitAttribute)
                  && a.ConstructorArguments.Select(c => c.Value as string).SequenceEqual(["Category", category]));

    private static bool UsesOracle(Type type) =>
        type.GetInterfaces().Contains(typeof(IClassFixture<TorchOracleFixtures>));

    [Fact]
    public void Exactly_the_classes_that_use_the_oracle_are_tagged()
    {
        var classes = TestClasses().ToList();
        Assert.Contains(typeof(TorchOracleTests), classes);
        Assert.Contains(typeof(BuilderContractTests), classes);
        Assert.All(classes, c => Assert.True(UsesOracle(c) == Tagged(c), $"{c.Name}: uses the oracle {UsesOracle(c)}, tagged Category=Oracle {Tagged(c)}"));
        Assert.True(Tagged(typeof(TorchOracleTests)));
        Assert.DoesNotContain(classes, c => Tagged(c, "Slow"));
    }
}
