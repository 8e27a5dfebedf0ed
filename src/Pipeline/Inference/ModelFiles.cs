namespace Pipeline.Inference;

public static class ModelFiles
{
    /// <summary>The bytes of a model file, or an error that names the file.</summary>
    public static byte[] Read(FileInfo file)
    {
        FileKinds.Require(file.FullName);
        if (file.Length == 0) throw new InputException($"{file.FullName}: empty file, not an ONNX model");
        var bytes = File.ReadAllBytes(file.FullName);
        Onnx.ModelProto model;
        try { model = Onnx.ModelProto.Parser.ParseFrom(bytes); }
        catch (Google.Protobuf.InvalidProtocolBufferException) { throw new InputException($"{file.FullName}: not an ONNX model (the protobuf does not parse)"); }
        // Almost any bytes parse as some protobuf; an ONNX model has a graph with nodes and an opset.
        if (model.Graph == null || model.Graph.Node.Count == 0 || model.OpsetImport.Count == 0)
            throw new InputException($"{file.FullName}: not an ONNX model (no graph, nodes or opset)");
        return bytes;
    }
}
