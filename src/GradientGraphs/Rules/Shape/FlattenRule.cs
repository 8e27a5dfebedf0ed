using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Flatten(axis): the batch stays, everything from axis on becomes one dimension.</summary>
public sealed class FlattenRule : ReshapeLikeRule
{
    public override string OpType => "Flatten";

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Shapes.Axis(node.Int("axis", 1), x.Length);
        if (axis == 0 || Shapes.Product(x[1..axis]) != 1) throw BatchMoved(node);
        return [[x[0], Shapes.Product(x[axis..])]];
    }
}
