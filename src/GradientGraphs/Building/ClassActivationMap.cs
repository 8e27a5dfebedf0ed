namespace GradientGraphs.Building;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017, "Grad-CAM: visual explanations from deep networks via
/// gradient-based localization"): the class activation map of the last spatial feature layer A,
/// cam[n, k] = ReLU(sum_c alpha[n, k, c] A[n, c]), alpha[n, k, c] = mean over positions of dS_k / dA[n, c].
/// The backward signal at A is the model's rule's; where no rectifier lies between A and the score
/// (global pooling and a linear classifier, as in most ConvNets) every rule gives the gradient there.
/// Beside it, Grad-CAM++ of the same layer (<see cref="EmitPlusPlus"/>).
/// </summary>
public static class ClassActivationMap
{
    /// <summary>
    /// The feature layer: the last tensor on the path, in forward order, of shape [N, C, h, w] with
    /// more than one position that is a downsampling of the image [N, 3, H, W]: h and w at most H and
    /// W, and H / h and W / w within a factor of 2 of each other (a channels-last [N, h, w, C] tensor
    /// of a converted model fails that and is passed over). Null when the network keeps no such tensor.
    /// <paramref name="named"/> chooses another of those tensors by name (where the last is the
    /// classifier's own class maps, as in a network whose last convolution gives the class scores,
    /// Grad-CAM there is the class's own map); a name that is not one of them is refused, naming them.
    /// </summary>
    public static string? FeatureTensor(GradientPath path, ForwardFacts facts, string image, string? named = null)
    {
        var input = facts.Shape(image);
        if (input.Length != 4) return null;
        bool LikeTheImage(long[] s)
        {
            if (s.Length != 4 || !Shapes.HasBatch(s) || s[2] * s[3] <= 1 || s[2] > input[2] || s[3] > input[3]) return false;
            double rows = (double)input[2] / s[2], columns = (double)input[3] / s[3];
            return Math.Max(rows, columns) <= 2 * Math.Min(rows, columns);
        }
        var candidates = path.Nodes.SelectMany(n => n.Output)
            .Where(t => t != image && path.Reaches(t) && facts.HasShape(t) && LikeTheImage(facts.Shape(t))).ToList();
        if (named == null) return candidates.LastOrDefault();
        if (candidates.Contains(named)) return named;
        string shown = string.Join(", ", Enumerable.Reverse(candidates).Take(8).Select(t => $"{t} {Shapes.Show(facts.Shape(t))}"));
        throw new LayerChoiceException($"--cam-layer {named}: not a tensor of shape [N, C, h, w] on the path from the image to the score; "
            + (candidates.Count == 0 ? "the model has none" : $"those are, last first: {shown}{(candidates.Count > 8 ? $" and {candidates.Count - 8} more" : "")}"));
    }

    /// <summary>The map [N, K, h, w] from the feature tensor A [N, C, h, w] and its backward signal dA [N*K, C, h, w].</summary>
    public static string Emit(GraphEmitter e, string feature, string featureGrad, long[] featureShape, string classesPerImage)
    {
        long channels = featureShape[1], positions = featureShape[2] * featureShape[3];
        var alpha = e.Mul(e.ReduceSum(featureGrad, [2, 3]), e.Scalar(1f / positions));
        var perClass = e.Reshape(alpha, e.Concat(0, e.Int64s(-1), classesPerImage, e.Int64s(channels, 1, 1)));
        var weighted = e.Mul(perClass, e.Unsqueeze(feature, 1));
        return e.Relu(e.ReduceSum(weighted, [2], keepDims: false));
    }

    /// <summary>
    /// Grad-CAM++ (Chattopadhay et al. 2018, "Grad-CAM++: generalized gradient-based visual explanations
    /// for deep convolutional networks", the closed form for an exponential of the score, which needs
    /// first derivatives only): with g = dS_k / dA[n, c] per position,
    /// alpha = g^2 / (2 g^2 + sum over positions of A[n, c] times g^3), weight[n, k, c] = sum over positions
    /// of alpha ReLU(g), map = ReLU(sum_c weight A[n, c]), [N, K, h, w]. Where the denominator is zero
    /// alpha's denominator is taken as one, as the authors' code does: g is then zero, or negative
    /// beside non-negative activations, and ReLU(g) removes the position either way.
    /// </summary>
    public static string EmitPlusPlus(GraphEmitter e, string feature, string featureGrad, long[] featureShape, string classesPerImage)
    {
        var g = e.Reshape(featureGrad, e.Concat(0, e.Int64s(-1), classesPerImage, e.Int64s(featureShape[1..])));
        var a = e.Unsqueeze(feature, 1);
        var g2 = e.Mul(g, g);
        var denominator = e.Add(e.Mul(e.Scalar(2f), g2), e.Mul(e.ReduceSum(a, [3, 4]), e.Mul(g2, g)));
        var safe = e.Op("Where", e.Op("Equal", denominator, e.Scalar(0f)), e.Scalar(1f), denominator);
        var weights = e.ReduceSum(e.Mul(e.Div(g2, safe), e.Relu(g)), [3, 4]);
        return e.Relu(e.ReduceSum(e.Mul(weights, a), [2], keepDims: false));
    }
}
