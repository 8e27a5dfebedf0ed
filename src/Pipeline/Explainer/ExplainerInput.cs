namespace Pipeline.Explainer;

/// <summary>
/// What an explainer model takes: the encoded file (decoded in the graph by ONNX Runtime Extensions'
/// DecodeImage) or pixels the host decoded itself, uint8 RGBA [H, W, 4] as an HTML canvas gives them
/// (standard ONNX only, so plain ONNX Runtime, onnxruntime-node and onnxruntime-web run it).
/// </summary>
public enum ExplainerInput
{
    Bytes,
    Pixels,
}
