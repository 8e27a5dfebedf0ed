namespace Pipeline.Cli;

public static class ModelFiles
{
    /// <summary>The bytes of a model file, or an error that names the file.</summary>
    public static byte[] Read(FileInfo file)
    {
        if (!file.Exists) throw new InputException($"{file.FullName}: no such file");
        var bytes = File.ReadAllBytes(file.FullName);
        try { Onnx.ModelProto.Parser.ParseFrom(bytes); }
        catch (Google.Protobuf.InvalidProtocolBufferException) { throw new InputException($"{file.FullName}: not an ONNX model (the protobuf does not parse)"); }
        return bytes;
    }
}
