using GradientGraphs.Tests.Support;

namespace GradientGraphs.Tests;

/// <summary>The real classifiers: gradient models built from them agree with directional finite differences.</summary>
public class RealModelTests
{
    [Fact]
    public void MobileNetV2_gradient_matches_directional_finite_differences() =>
        DirectionalDerivatives.Check(File.ReadAllBytes(SharedData.Model("mobilenet_v2_1.0_224.onnx")), [1, 3, 224, 224], r => (float)(r.NextDouble() * 2 - 1));

    [Fact]
    public void TinyDarknet_gradient_matches_directional_finite_differences() =>
        DirectionalDerivatives.Check(File.ReadAllBytes(SharedData.Model("tiny_darknet.onnx")), [1, 3, 224, 224], r => (float)r.NextDouble());

    [Fact]
    public void Cntk_ResNet18_backbone_opset8_matches_directional_finite_differences() =>
        DirectionalDerivatives.Check(File.ReadAllBytes(SharedData.CntkResNet18), [1, 3, 224, 224], r => (float)(r.NextDouble() * 255), step: 1e-2);
}
