using GradientGraphs.Building;
using Onnx;

namespace GradientGraphs.Rules;

/// <summary>
/// Everything the builder knows about one ONNX op: the static shapes of its outputs, when it
/// refuses a node, and the backward rule that turns output gradients into input gradients.
/// </summary>
public abstract class OpRule
{
    public abstract string OpType { get; }

    /// <summary>Output shapes from input shapes (batch symbolic at index 0).</summary>
    public abstract long[][] InferShapes(NodeProto node, ForwardFacts facts);

    /// <summary>
    /// Rewrites the forward node before its shapes are inferred, where the source's form would not
    /// run with a symbolic batch (a Reshape target that names the fixed batch size, say).
    /// The rewrite must not change the node's values for the source's own batch size.
    /// </summary>
    public virtual void Normalize(NodeProto node, ForwardFacts facts, GraphEmitter e) { }

    /// <summary>
    /// Why this node cannot be differentiated (an attribute value the backward does not handle), or
    /// null. One mechanism per fact: what InferShapes cannot read (a shape given at run time, a
    /// form it does not handle) it refuses by throwing GraphException, and the builder reports that
    /// message as the refusal. Refusal is asked only after InferShapes succeeded, so it may read
    /// the same inputs without guarding against those exceptions again.
    /// </summary>
    public virtual string? Refusal(NodeProto node, ForwardFacts facts) => null;

    /// <summary>
    /// Input gradients (folded [N*K, ...]) from output gradients; outputGrads[i] is null where no
    /// gradient reaches output i (zero). Return null for an input that gets no gradient;
    /// needed[i] says which inputs lie on the path to the image.
    /// </summary>
    public abstract string?[] Backward(NodeProto node, string?[] outputGrads, bool[] needed, BackwardContext ctx);
}
