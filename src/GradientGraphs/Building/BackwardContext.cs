using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// What a backward rule may use. Backward tensors hold all K classes of an image in the batch
/// dimension ("folded": [N*K, ...], class k of image n at row n*K+k), so Conv, pooling and
/// reshapes run once over every class. Forward tensors stay at batch N; an elementwise product
/// of the two views the backward tensor as [N, K, ...] and the forward one as [N, 1, ...].
/// </summary>
public sealed class BackwardContext(GraphEmitter emitter, ForwardFacts facts, AttributionMethod method, string classesPerImage, string foldedBatch)
{
    private readonly Dictionary<string, string> _perClassForward = new();

    public GraphEmitter E => emitter;
    public ForwardFacts Facts => facts;
    public AttributionMethod Method => method;

    /// <summary>int64 [1]: K, the number of classes per image.</summary>
    public string ClassesPerImage => classesPerImage;

    public long[] Shape(string tensor) => facts.Shape(tensor);

    /// <summary>[N*K, rest...] to [N, K, rest...].</summary>
    public string Unfold(string grad, long[] rest) =>
        emitter.Reshape(grad, emitter.Concat(0, emitter.Int64s(-1), classesPerImage, emitter.Int64s(rest)));

    /// <summary>[N, K, rest...] to [N*K, rest...].</summary>
    public string Fold(string grad, long[] rest) => emitter.Reshape(grad, [-1, .. rest]);

    /// <summary>A forward tensor [N, rest...] viewed as [N, 1, rest...] to broadcast over the K classes.</summary>
    public string ForClasses(string forward) =>
        _perClassForward.TryGetValue(forward, out var v) ? v : _perClassForward[forward] = emitter.Unsqueeze(forward, 1);

    /// <summary>
    /// grad (folded, of shape gradShape) times a forward tensor, broadcasting as the forward op did.
    /// A tensor with a batch dimension is broadcast over the K classes; one without multiplies directly.
    /// </summary>
    public string MulByForward(string grad, long[] gradShape, string forward, long[]? forwardShape = null)
    {
        forwardShape ??= Shape(forward);
        if (!Shapes.HasBatch(forwardShape)) return emitter.Mul(grad, forward);
        var outShape = Shapes.Broadcast(gradShape, forwardShape);
        var product = emitter.Mul(Unfold(grad, Shapes.Rest(gradShape)), ForClasses(forward));
        return Fold(product, Shapes.Rest(outShape));
    }

    /// <summary>
    /// Sums a folded gradient of shape gradShape down to an input of shape inputShape, undoing
    /// the broadcast of the forward op. The input must carry the batch dimension.
    /// </summary>
    public string SumToShape(string grad, long[] gradShape, long[] inputShape)
    {
        if (!Shapes.HasBatch(inputShape) || inputShape.Length != gradShape.Length)
            throw new GraphException($"an input of shape {Shapes.Show(inputShape)} on the gradient path broadcasts to {Shapes.Show(gradShape)}; only inputs that keep the batch dimension and rank are supported");
        var axes = Enumerable.Range(1, gradShape.Length - 1)
            .Where(i => inputShape[i] == 1 && gradShape[i] != 1).Select(i => (long)i).ToArray();
        return emitter.ReduceSum(grad, axes);
    }

    /// <summary>Zeros of folded shape [N*K, rest...] (foldedBatch: int64 [1] holding N*K).</summary>
    public string Zeros(long[] rest) =>
        emitter.Op("ConstantOfShape", [emitter.Concat(0, foldedBatch, emitter.Int64s(rest))],
            n => n.Set("value", Tensors.FloatTensor("", [1], [0f])));
}
