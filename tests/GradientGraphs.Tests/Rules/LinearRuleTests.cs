using GradientGraphs.Onnx;
using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests.Rules;

/// <summary>Gemm, MatMul, BatchNormalization and LRN against finite differences.</summary>
public class LinearRuleTests
{
    [Theory]
    [InlineData(0, 1f, 1f)]
    [InlineData(1, 1f, 1f)]      // transB, as Caffe and PyTorch export fully connected layers
    [InlineData(1, 0.5f, 2f)]    // alpha and beta
    public void Gemm(int transB, float alpha, float beta)
    {
        var g = new TinyGraph([1, 2, 3, 3]);
        var flat = g.Op("Flatten", [g.X]);
        var w = transB == 1 ? g.Weights(5, 18) : g.Weights(18, 5);
        var y = g.Op("Gemm", [flat, w, g.Weights(5)], n => { n.Set("transB", (long)transB); n.Set("alpha", alpha); n.Set("beta", beta); });
        FiniteDifferences.Check(g.Finish(y), [1, 2, 3, 3], ["Gemm"], classes: 2);
    }

    [Fact]
    public void MatMul_with_weight_matrix()
    {
        var g = new TinyGraph([1, 2, 3, 4]);
        var y = g.Op("MatMul", [g.X, g.Weights(4, 6)]);
        FiniteDifferences.Check(g.Finish(y), [1, 2, 3, 4], ["MatMul"]);
    }

    [Fact]
    public void BatchNormalization_at_inference()
    {
        var g = new TinyGraph([1, 3, 4, 4]);
        var variance = g.Constant([3], [0.5f, 1.7f, 0.2f]);
        var y = g.Op("BatchNormalization", [g.X, g.Weights(3), g.Weights(3), g.Weights(3), variance], n => n.Set("epsilon", 1e-3f));
        FiniteDifferences.Check(g.Finish(g.Op("Conv", [y, g.Weights(2, 3, 3, 3)])), [1, 3, 4, 4], ["BatchNormalization"]);
    }

    [Fact]
    public void BatchNormalization_with_an_epsilon_comparable_to_the_variance()
    {
        // Epsilon 0.1 against variances 0.02 to 0.3: 1 / sqrt(variance + epsilon) is 2.9 where 1 / sqrt(variance) would be 7.1.
        var g = new TinyGraph([1, 3, 4, 4]);
        var variance = g.Constant([3], [0.05f, 0.02f, 0.3f]);
        var y = g.Op("BatchNormalization", [g.X, g.Weights(3), g.Weights(3), g.Weights(3), variance], n => n.Set("epsilon", 0.1f));
        FiniteDifferences.Check(g.Finish(g.Op("Conv", [y, g.Weights(2, 3, 3, 3)])), [1, 3, 4, 4], ["BatchNormalization"]);
    }

    [Theory]
    [InlineData(5, 1e-2f, 0.75f, 1f)]   // AlexNet / GoogLeNet settings with a larger alpha to matter
    [InlineData(3, 0.5f, 0.75f, 2f)]
    [InlineData(7, 0.3f, 0.6f, 1f)]     // (ONNX Runtime accepts odd sizes only)
    public void Lrn(int size, float alpha, float beta, float bias)
    {
        var g = new TinyGraph([1, 6, 3, 3]);
        var mixed = g.Op("Conv", [g.X, g.Weights(6, 6, 1, 1)]);
        var y = g.Op("LRN", [g.Op("Mul", [mixed, g.Constant([], [3f])])], n => { n.Set("size", (long)size); n.Set("alpha", alpha); n.Set("beta", beta); n.Set("bias", bias); });
        FiniteDifferences.Check(g.Finish(y), [1, 6, 3, 3], ["LRN"]);
    }
}
