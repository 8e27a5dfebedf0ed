using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Rules.Shape;

/// <summary>Flatten(axis): the batch stays, everything from axis on becomes one dimension.</summary>
public sealed class FlattenRule : ReshapeLikeRule
{
    public override string OpType => "Flatten";

    protected override long DefaultAxis => 1;

    /// <summary>The batch stays alone in front unless axis is 0 or axes of more than one element come before axis.</summary>
    public override AxisWork WorksAlong(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        return AxisWork.On("merges other axes into", axis == 0 || Shapes.Product(x[1..axis]) != 1 ? [0] : []);
    }

    public override long[][] InferShapes(NodeProto node, ForwardFacts facts)
    {
        var x = facts.Shape(node.Input[0]);
        int axis = Axis(node, x.Length);
        return [[Shapes.Product(x[..axis]), Shapes.Product(x[axis..])]];
    }
}
