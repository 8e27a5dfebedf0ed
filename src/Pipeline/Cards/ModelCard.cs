using System.Text.Json.Serialization;
using System.Text.Json;

namespace Pipeline.Cards;

public sealed record CardClass(string Wnid, string Name);

/// <summary>
/// What travels with a model so models swap without recompiling: how to turn pixels into its
/// input (size, resize policy, channel order, x = (pixel * scale - mean) / std) and what its
/// outputs mean (the classes in index order, and an offset for a leading background class).
/// Stored in the gradient model's metadata_props under <see cref="MetadataKey"/>.
/// </summary>
public sealed record ModelCard
{
    public const string MetadataKey = "pipeline.card";

    /// <summary>A rescaled image's sides are at most this many crop sides (the shorter side too): corners, centre and edge midpoints then cover it.</summary>
    public const int MaxCropSpan = 3;

    public string Name { get; init; } = "";
    /// <summary>Side of the square crop the model takes.</summary>
    public int InputSize { get; init; } = 224;
    /// <summary>"crop": shorter side to <see cref="ShorterSide"/>, then crops; "squash": the whole image resized to a square.</summary>
    public string Resize { get; init; } = "crop";
    public int ShorterSide { get; init; } = 256;
    public string ChannelOrder { get; init; } = "RGB";
    public float Scale { get; init; } = 1f / 255;
    public float[] Mean { get; init; } = [0, 0, 0];
    public float[] Std { get; init; } = [1, 1, 1];
    /// <summary>Score index of class 0 (1 for models whose output 0 is a background class).</summary>
    public int ClassOffset { get; init; }
    public List<CardClass> Classes { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static ModelCard Load(string path)
    {
        FileKinds.Require(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The card in <paramref name="json"/>, checked field by field (<see cref="CardReader"/>); errors name <paramref name="source"/>.</summary>
    public static ModelCard Parse(string json, string source)
    {
        var card = CardReader.Read(json, source);
        // Crops of the input size cover an image of at most 3 of their sides (CropLayout).
        if (card.ShorterSide > MaxCropSpan * card.InputSize)
            throw new InputException($"{source}: shorterSide {card.ShorterSide} is more than {MaxCropSpan} x inputSize {card.InputSize}: the crops could not cover the image");
        return card;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Refuses a card that does not fit the model: its input size or its number of scores.</summary>
    public void CheckFits(long[] imageShape, long scoreCount, string modelName)
    {
        if (imageShape.Length != 4 || imageShape[1] != 3 || imageShape[2] != InputSize || imageShape[3] != InputSize)
            throw new InputException($"card '{Name}' does not fit {modelName}: the model takes [{string.Join(",", imageShape)}], the card {InputSize}x{InputSize} RGB");
        if (Classes.Count + ClassOffset != scoreCount)
            throw new InputException($"card '{Name}' does not fit {modelName}: {Classes.Count} classes + offset {ClassOffset} != {scoreCount} scores");
    }

    /// <summary>The JSON names of the fields in which this card and <paramref name="other"/> differ, in card order.</summary>
    public IReadOnlyList<string> FieldsDifferingFrom(ModelCard other)
    {
        var differs = new List<string>();
        void Compare(string field, bool same) { if (!same) differs.Add(field); }
        Compare("name", Name == other.Name);
        Compare("inputSize", InputSize == other.InputSize);
        Compare("resize", Resize == other.Resize);
        Compare("shorterSide", ShorterSide == other.ShorterSide);
        Compare("channelOrder", ChannelOrder == other.ChannelOrder);
        Compare("scale", Scale.Equals(other.Scale));
        Compare("mean", Mean.SequenceEqual(other.Mean));
        Compare("std", Std.SequenceEqual(other.Std));
        Compare("classOffset", ClassOffset == other.ClassOffset);
        Compare("classes", Classes.SequenceEqual(other.Classes));
        return differs;
    }

    public PixelTransform Pixels => new(ChannelOrder == "RGB", Scale, Mean, Std);
}
