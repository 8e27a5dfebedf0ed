using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// Everything the builder knows about one ONNX op: the static shapes of its outputs, which inputs
/// it differentiates, the axes it works along, when it refuses a node, and the backward rule that
/// turns output gradients into input gradients.
/// </summary>
public abstract class OpRule
{
    public abstract string OpType { get; }

    /// <summary>
    /// The inputs this rule gives a gradient. A node on the path whose input that depends on the
    /// image is not among them is refused, naming that input, before anything is emitted.
    /// </summary>
    public abstract DifferentiableInputs Differentiable { get; }

    /// <summary>
    /// The axes this node combines, moves or cuts (a softmax's axis, the axes a Pad pads), or null
    /// where it works on each element alone. The builder refuses work along the batch axis from
    /// this declaration, in one place (<see cref="BatchAxis"/>), before <see cref="InferShapes"/>:
    /// the K classes fold into that axis, so only elementwise use of it is allowed.
    /// </summary>
    public virtual AxisWork? WorksAlong(NodeProto node, ForwardFacts facts) => null;

    /// <summary>Output shapes from input shapes (batch symbolic at index 0); asked only when the node does no work along the batch axis.</summary>
    public abstract long[][] InferShapes(NodeProto node, ForwardFacts facts);

    /// <summary>
    /// Rewrites the forward node before its shapes are inferred, where the source's form would not
    /// run with a symbolic batch (a Reshape target that names the fixed batch size, say).
    /// The rewrite must not change the node's values for the source's own batch size.
    /// </summary>
    public virtual void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e) { }

    /// <summary>
    /// Why this node cannot be differentiated (an attribute value the backward does not handle), or
    /// null. One mechanism per fact: work along the batch axis is declared by <see cref="WorksAlong"/>;
    /// what InferShapes cannot read (a shape given at run time, a form it does not handle) it
    /// refuses by throwing GraphException, and the builder reports that message as the refusal.
    /// Refusal is asked only after InferShapes succeeded, so it may read the same inputs without
    /// guarding against those exceptions again.
    /// </summary>
    public virtual string? Refusal(NodeProto node, ForwardFacts facts) => null;

    /// <summary>
    /// Input gradients (folded [N*K, ...]) from output gradients; outputGrads[i] is null where no
    /// gradient reaches output i (zero). needed[i] says which inputs lie on the path to the image;
    /// the builder has checked that each of them is <see cref="Differentiable"/>, and the rule
    /// returns a gradient for each (null for the others).
    /// </summary>
    public abstract string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx);

    /// <summary>The axis attribute's default where the node has none (ONNX gives each op its own).</summary>
    protected virtual long DefaultAxis => 0;

    /// <summary>The node's axis attribute as an index into a shape of this rank.</summary>
    protected int Axis(NodeProto node, int rank) => Shapes.Axis(node.Int("axis", DefaultAxis), rank);
}
