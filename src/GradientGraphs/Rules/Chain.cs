using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// The chain rule at one node, as a row of the <see cref="DerivativeTable"/> writes it: the
/// output's gradient <see cref="Grad"/> (folded, of the output's shape) times a local derivative
/// computed on the forward tensors (<see cref="Times"/>).
/// </summary>
public sealed class Chain(NodeProto node, string grad, BackwardContext ctx)
{
    public GraphEmitter E => ctx.E;
    public NodeProto Node => node;

    /// <summary>dY: the gradient of the node's output.</summary>
    public string Grad => grad;

    /// <summary>Forward input i.</summary>
    public string X(int input = 0) => node.Input[input];

    /// <summary>The forward output.</summary>
    public string Y => node.Output[0];

    /// <summary>dY times a factor on the forward tensors, which has the shape of the forward tensor <paramref name="like"/> (default: the factor itself, a forward tensor).</summary>
    public string Times(string factor, string? like = null) =>
        ctx.MulByForward(grad, ctx.Shape(Y), factor, ctx.Shape(like ?? factor));
}
