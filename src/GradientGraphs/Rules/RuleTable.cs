using GradientGraphs.Rules.Activations;
using GradientGraphs.Rules.Elementwise;
using GradientGraphs.Rules.Linear;
using GradientGraphs.Rules.Normalization;
using GradientGraphs.Rules.Pooling;
using GradientGraphs.Rules.Shape;

namespace GradientGraphs.Rules;

/// <summary>
/// Every op the builder can differentiate, one rule each: the classes listed here and the rows of
/// <see cref="DerivativeTable"/>. A new op is one row there where its gradient is one expression per
/// input, else one new OpRule class plus one line here (and its finite-difference test either way).
/// </summary>
public static class RuleTable
{
    private static readonly Dictionary<string, OpRule> Rules = new OpRule[]
    {
        // Rectifiers: the backward depends on --rule.
        new ReluRule(), new LeakyReluRule(), new ClipRule(),
        new SoftmaxRule(),  // inside a network (attention); one that ends the graph is skipped, see GradientGraphBuilder.ScoreTensor
        // Linear maps.
        new ConvRule(), new GemmRule(), new MatMulRule(),
        new BatchNormalizationRule(), new LrnRule(), new LayerNormalizationRule(),
        // Pooling and reductions.
        new MaxPoolRule(), new AveragePoolRule(), new GlobalAveragePoolRule(),
        new ReduceRule("ReduceMean", mean: true), new ReduceRule("ReduceSum", mean: false),
        new PowRule(),
        // Indexing and layout.
        new IdentityRule("Identity"), new IdentityRule("Dropout"),
        new FlattenRule(), new ReshapeRule(), new SqueezeRule("Squeeze"), new SqueezeRule("Unsqueeze"),
        new TransposeRule(), new ConcatRule(), new SplitRule(), new SliceRule(), new PadRule(),
        new GatherRule(), new ExpandRule(),
    }.Concat(DerivativeTable.Rules).ToDictionary(r => r.OpType);

    public static OpRule? Find(string opType) => Rules.GetValueOrDefault(opType);

    /// <summary>Ops whose output does not change under small changes of the input: the gradient path stops there.</summary>
    public static readonly IReadOnlySet<string> PiecewiseConstant = new HashSet<string>
    {
        "Shape", "Size", "ArgMax", "ArgMin", "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual",
        "Not", "And", "Or", "Xor", "NonZero", "Floor", "Ceil", "Round", "Sign", "IsNaN", "IsInf", "ConstantOfShape",
    };
}
