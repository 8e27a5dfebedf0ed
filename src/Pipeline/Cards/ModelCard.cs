using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Stages;

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

    public static ModelCard Parse(string json, string source)
    {
        ModelCard card;
        try { card = JsonSerializer.Deserialize<ModelCard>(json, Json) ?? throw new InputException($"{source}: empty card"); }
        catch (JsonException e) { throw new InputException($"{source}: not a model card ({Messages.FirstLine(e.Message)})"); }
        // JSON null turns a list into null: every field is checked before use.
        if (card.Name == null || card.Resize == null || card.ChannelOrder == null || card.Mean == null || card.Std == null || card.Classes == null)
            throw new InputException($"{source}: name, resize, channelOrder, mean, std and classes must not be null");
        if (card.Classes.Any(c => c == null || string.IsNullOrWhiteSpace(c.Wnid) || c.Wnid.Any(char.IsWhiteSpace) || c.Name == null))
            throw new InputException($"{source}: every class needs a wnid (no spaces) and a name");
        if (card.InputSize is < 8 or > 4096) throw new InputException($"{source}: inputSize {card.InputSize} is not in 8 to 4096");
        if (card.ShorterSide is < 8 or > 8192) throw new InputException($"{source}: shorterSide {card.ShorterSide} is not in 8 to 8192");
        if (card.ClassOffset < 0) throw new InputException($"{source}: classOffset {card.ClassOffset} is negative");
        if (!float.IsFinite(card.Scale) || card.Scale == 0 || card.Mean.Any(m => !float.IsFinite(m)) || card.Std.Any(v => !float.IsFinite(v)))
            throw new InputException($"{source}: scale, mean and std must be finite numbers, scale not 0");
        if (card.Resize is not ("crop" or "squash")) throw new InputException($"{source}: resize must be 'crop' or 'squash', not '{card.Resize}'");
        if (card.ChannelOrder is not ("RGB" or "BGR")) throw new InputException($"{source}: channelOrder must be RGB or BGR");
        if (card.Mean.Length != 3 || card.Std.Length != 3 || card.Std.Any(s => s == 0)) throw new InputException($"{source}: mean and std need 3 values, std not 0");
        if (card.Classes.Count == 0) throw new InputException($"{source}: the card lists no classes");
        if (card.Resize == "crop" && card.ShorterSide < card.InputSize) throw new InputException($"{source}: shorterSide {card.ShorterSide} is smaller than inputSize {card.InputSize}");
        // Crops of the input size cover an image of at most 3 of their sides (CropLayout).
        if (card.ShorterSide > Stages.CropLayout.MaxCropSpan * card.InputSize)
            throw new InputException($"{source}: shorterSide {card.ShorterSide} is more than {Stages.CropLayout.MaxCropSpan} x inputSize {card.InputSize}: the crops could not cover the image");
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

    public PixelTransform Pixels => new(ChannelOrder == "RGB", Scale, Mean, Std);
}
