using GradientGraphs.Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// The ops whose derivative is one expression per input, written as data: a row names the op and,
/// for each input it differentiates, that input's gradient from the output's gradient dY (d.Grad)
/// and the forward tensors (d.X(i), d.Y). d.Times(f) is dY f with f broadcast as the forward op broadcast it; a factor
/// computed here names the forward tensor whose shape it has. Broadcast inputs are summed back to
/// their shape by <see cref="TableRule"/>. Ops with geometry, attributes that change the form of
/// the backward, or a refusal of their own stay classes (Conv, pools, norms, Gather, MatMul, Pow,
/// the rectifiers).
/// </summary>
public static class DerivativeTable
{
    public static IReadOnlyList<OpRule> Rules { get; } =
    [
        // Arithmetic (broadcasting).
        TableRule.OfEvery("Add", d => d.Grad),
        TableRule.OfEvery("Sum", d => d.Grad),
        TableRule.Of("Sub", d => d.Grad, d => d.E.Neg(d.Grad)),
        TableRule.Of("Mul", d => d.Times(d.X(1)), d => d.Times(d.X(0))),
        TableRule.Of("Div", d => d.Times(d.E.Op("Reciprocal", d.X(1)), like: d.X(1)),        // 1 / B
                            d => d.Times(d.E.Neg(d.E.Div(d.Y, d.X(1))), like: d.Y)),          // -Y / B
        // Smooth elementwise maps: dX = dY D, D computed once on the forward tensors.
        TableRule.Of("Sqrt", d => d.Times(d.E.Div(d.E.Scalar(0.5f), d.Y), like: d.Y)),                    // 1 / (2 Y)
        TableRule.Of("Sigmoid", d => d.Times(d.E.Mul(d.Y, d.E.Sub(d.E.Scalar(1f), d.Y)), like: d.Y)),     // Y (1 - Y)
        TableRule.Of("Tanh", d => d.Times(d.E.Sub(d.E.Scalar(1f), d.E.Mul(d.Y, d.Y)), like: d.Y)),       // 1 - Y^2
        TableRule.Of("Erf", d => d.Times(ErfDerivative(d), like: d.Y)),                                 // GELU as exported
        TableRule.Of("HardSigmoid", d => d.Times(HardSigmoidDerivative(d), like: d.Y)),
        TableRule.Of("HardSwish", d => d.Times(HardSwishDerivative(d), like: d.Y)),
    ];

    /// <summary>2/sqrt(pi) exp(-X^2).</summary>
    private static string ErfDerivative(Chain d) =>
        d.E.Mul(d.E.Op("Exp", d.E.Neg(d.E.Mul(d.X(), d.X()))), d.E.Scalar((float)(2 / Math.Sqrt(Math.PI))));

    /// <summary>HardSigmoid(alpha, beta) = clip(alpha X + beta, 0, 1): alpha [0 &lt; alpha X + beta &lt; 1].</summary>
    private static string HardSigmoidDerivative(Chain d)
    {
        var e = d.E;
        float alpha = d.Node.Float("alpha", 0.2f), beta = d.Node.Float("beta", 0.5f);
        var z = e.Add(e.Mul(d.X(), e.Scalar(alpha)), e.Scalar(beta));
        var inside = e.Op("And", e.Op("Greater", z, e.Scalar(0f)), e.Op("Less", z, e.Scalar(1f)));
        return e.Mul(e.CastToFloat(inside), e.Scalar(alpha));
    }

    /// <summary>HardSwish = X clip(X/6 + 1/2, 0, 1): 0 below -3, 1 above 3, (2X + 3)/6 between.</summary>
    private static string HardSwishDerivative(Chain d)
    {
        var e = d.E;
        var middle = e.Add(e.Mul(d.X(), e.Scalar(1f / 3f)), e.Scalar(0.5f));
        var upper = e.Op("Where", e.Op("Greater", d.X(), e.Scalar(3f)), e.Scalar(1f), middle);
        return e.Op("Where", e.Op("Less", d.X(), e.Scalar(-3f)), e.Scalar(0f), upper);
    }
}
