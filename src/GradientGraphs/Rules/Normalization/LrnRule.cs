using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Normalization;

/// <summary>
/// LRN across channels, Y = X D^-beta with D = bias + alpha/size * (sum of X^2 over the channel
/// window [c - a, c + b], a = floor((size-1)/2), b = ceil((size-1)/2)):
/// dX_j = dY_j D_j^-beta - (2 alpha beta / size) X_j * sum over c with j in window(c) of dY_c X_c D_c^(-beta-1).
/// The adjoint window is [j - b, j + a]. Both window sums are a Conv with a column of ones.
/// </summary>
public sealed class LrnRule : UnaryRule
{
    public override string OpType => "LRN";

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts) => [facts.Shape(node.Input[0])];

    protected override string Backward(NodeProto node, string dY, BackwardContext ctx)
    {
        var e = ctx.E;
        var x = ctx.Shape(node.Input[0]);
        var rest = Shapes.Rest(x);
        long channels = x[1], plane = Shapes.Product(x[2..]);
        long size = node.Int("size", 1);
        float alpha = node.Float("alpha", 1e-4f), beta = node.Float("beta", 0.75f), bias = node.Float("bias", 1f);
        long before = (size - 1) / 2, after = size - 1 - before;
        var ones = e.FloatConstant([1, 1, size, 1], Enumerable.Repeat(1f, (int)size).ToArray(), "lrn_window");

        // Channel-window sum of a [B, C, ...] tensor as a 1-channel Conv over [B, 1, C, plane].
        string WindowSum(string t, long padBefore, long padAfter) =>
            e.Reshape(e.Op("Conv", [e.Reshape(t, -1, 1, channels, plane), ones], n =>
            {
                n.Set("kernel_shape", [size, 1L]);
                n.Set("pads", [padBefore, 0L, padAfter, 0L]);
            }), [-1, .. rest]);

        var input = node.Input[0];
        var d = e.Add(e.Scalar(bias), e.Mul(e.Scalar(alpha / size), WindowSum(e.Mul(input, input), before, after)));
        var dPowBeta = e.Op("Pow", d, e.Scalar(-beta));
        var xOverD = e.Mul(input, e.Op("Pow", d, e.Scalar(-beta - 1f)));

        var direct = ctx.MulByForward(dY, x, dPowBeta, x);
        var spread = WindowSum(ctx.MulByForward(dY, x, xOverD, x), after, before);
        var cross = e.Mul(ctx.MulByForward(spread, x, input, x), e.Scalar(-2f * alpha * beta / size));
        return e.Add(direct, cross);
    }
}
