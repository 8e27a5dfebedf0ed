using GradientGraphs.Onnx;
using Onnx;

namespace GradientGraphs.Building;

/// <summary>
/// The forward model inside a gradient model: its source outputs, without class_index, input_grad,
/// class_activation, class_activation_plus_plus or any backward node. For ranking classes before asking for their gradients.
/// </summary>
public static class ForwardPart
{
    public static ModelProto Of(ModelProto gradientModel)
    {
        var model = gradientModel.Clone();
        var graph = model.Graph;
        for (int i = graph.Output.Count - 1; i >= 0; i--)
            if (graph.Output[i].Name is GradientModelContract.InputGradOutput or GradientModelContract.ClassActivationOutput
                or GradientModelContract.ClassActivationPlusPlusOutput) graph.Output.RemoveAt(i);
        for (int i = graph.Input.Count - 1; i >= 0; i--)
            if (graph.Input[i].Name == GradientModelContract.ClassIndexInput) graph.Input.RemoveAt(i);

        GraphPruning.KeepWhatOutputsNeed(graph);
        return model;
    }
}
