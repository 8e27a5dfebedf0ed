using System.Text.Json;
using System.Text;

namespace Pipeline.Cards;

/// <summary>
/// Reads a card's JSON field by field: every field present, of its type and in its range, or one
/// line naming the card and the field. A card decides every pixel value and every class name, so a
/// default standing in for a missing or mistyped field would give wrong results without a word.
/// </summary>
internal sealed class CardReader
{
    public static readonly string[] Fields = ["name", "inputSize", "resize", "shorterSide", "channelOrder", "scale", "mean", "std", "classOffset", "classes"];
    private static readonly string[] ClassFields = ["wnid", "name"];
    /// <summary>Written by <see cref="ModelCard.ToJson"/> (its pixel transform), derived from the fields above: read past, never used.</summary>
    private const string Derived = "pixels";

    private readonly string _source;

    private CardReader(string source) => _source = source;

    public static ModelCard Read(string json, string source)
    {
        using var document = Document(json, source);
        return new CardReader(source).Card(document.RootElement);
    }

    private ModelCard Card(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InputException($"{_source}: not a model card (a JSON object is expected, not {Kind(root)})");
        OnlyKnown(root, [.. Fields, Derived], "");
        var card = new ModelCard
        {
            Name = Text(root, "name", allowEmpty: false),
            InputSize = Whole(root, "inputSize", 8, 4096),
            Resize = OneOf(root, "resize", "crop", "squash"),
            ShorterSide = Whole(root, "shorterSide", 8, 8192),
            ChannelOrder = OneOf(root, "channelOrder", "RGB", "BGR"),
            Scale = Positive(Number(Get(root, "scale"), "scale"), "scale"),
            Mean = Triple(root, "mean", positive: false),
            Std = Triple(root, "std", positive: true),
            ClassOffset = Whole(root, "classOffset", 0, 1_000_000),
            Classes = Classes(root),
        };
        // The crop is cut from the image scaled to shorterSide; a smaller side cannot hold it.
        if (card.Resize == "crop" && card.ShorterSide < card.InputSize)
            throw Bad("shorterSide", $"is {card.ShorterSide}, smaller than inputSize {card.InputSize} (resize crop)");
        return card;
    }

    private List<CardClass> Classes(JsonElement root)
    {
        var list = Get(root, "classes");
        if (list.ValueKind != JsonValueKind.Array) throw Bad("classes", $"must be a list of {{wnid, name}}, not {Kind(list)}");
        if (list.GetArrayLength() == 0) throw Bad("classes", "lists no classes");
        var classes = new List<CardClass>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in list.EnumerateArray())
        {
            var field = $"classes[{classes.Count}]";
            if (item.ValueKind != JsonValueKind.Object) throw Bad(field, $"must be an object {{wnid, name}}, not {Kind(item)}");
            OnlyKnown(item, ClassFields, field + ".");
            var wnid = Text(item, "wnid", allowEmpty: false, field + ".wnid");
            // The wnid is a word of the ILSVRC CSV rows: a space or comma would split it.
            if (wnid.Any(c => char.IsWhiteSpace(c) || c == ',')) throw Bad(field + ".wnid", $"is '{wnid}', which holds a space or comma");
            if (seen.TryGetValue(wnid, out var first)) throw Bad(field + ".wnid", $"is '{wnid}', the same as classes[{first}].wnid; wnids must be distinct");
            seen[wnid] = classes.Count;
            classes.Add(new CardClass(wnid, Text(item, "name", allowEmpty: true, field + ".name")));
        }
        return classes;
    }

    private float[] Triple(JsonElement root, string name, bool positive)
    {
        var list = Get(root, name);
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != 3) throw Bad(name, $"must be a list of 3 numbers, one per channel, not {Kind(list)}");
        var values = list.EnumerateArray().Select((v, i) => Number(v, $"{name}[{i}]")).ToArray();
        if (positive) for (int i = 0; i < 3; i++) Positive(values[i], $"{name}[{i}]");
        return values;
    }

    private void OnlyKnown(JsonElement obj, string[] known, string prefix)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name)) throw Bad(prefix + p.Name, $"is not a card field (expected {string.Join(", ", known.Where(k => k != Derived))})");
            if (!seen.Add(p.Name)) throw Bad(prefix + p.Name, "appears twice");
        }
    }

    private JsonElement Get(JsonElement obj, string name, string? field = null)
    {
        field ??= name;
        if (!obj.TryGetProperty(name, out var value)) throw Bad(field, "is missing");
        if (value.ValueKind == JsonValueKind.Null) throw Bad(field, "must not be null");
        return value;
    }

    private string Text(JsonElement obj, string name, bool allowEmpty, string? field = null)
    {
        field ??= name;
        var value = Get(obj, name, field);
        if (value.ValueKind != JsonValueKind.String) throw Bad(field, $"must be a string, not {Kind(value)}");
        var text = value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text)) throw Bad(field, "is empty");
        return text;
    }

    private string OneOf(JsonElement obj, string name, params string[] allowed)
    {
        var text = Text(obj, name, allowEmpty: true);
        return allowed.Contains(text) ? text : throw Bad(name, $"must be {string.Join(" or ", allowed)}, not '{text}'");
    }

    private int Whole(JsonElement obj, string name, int min, int max)
    {
        var value = Get(obj, name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n)) throw Bad(name, $"must be a whole number, not {Kind(value)}");
        if (n < 0 && min >= 0) throw Bad(name, $"is {n}: it must not be negative");
        if (n < min || n > max) throw Bad(name, $"is {n}, not in {min} to {max}");
        return n;
    }

    /// <summary>A number as the pixel arithmetic uses it: a float, finite.</summary>
    private float Number(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Number) throw Bad(field, $"must be a number, not {Kind(value)}");
        float f = value.TryGetDouble(out var d) ? (float)d : float.NaN;
        return float.IsFinite(f) ? f : throw Bad(field, $"is {value.GetRawText()}, not a finite number");
    }

    private float Positive(float value, string field) =>
        value > 0 ? value : throw Bad(field, $"is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: it must be above 0 (it divides or scales every pixel)");

    private InputException Bad(string field, string reason) => new($"{_source}: card field '{field}' {reason}");

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text '{Shorten(value.GetString()!)}'",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => $"a list of {value.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static JsonDocument Document(string json, string source)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            var field = FieldWhereBroken(json) is { } f ? $"card field '{f}' " : "";
            var reason = e.Message.Split(" LineNumber:")[0].TrimEnd('.');
            throw new InputException($"{source}: {field}is not valid JSON (line {e.LineNumber + 1}: {reason})");
        }
    }

    /// <summary>The top-level field the JSON breaks in, so that a NaN written by Python names its field.</summary>
    private static string? FieldWhereBroken(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        string? field = null;
        try
        {
            while (reader.Read())
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1) field = reader.GetString();
        }
        catch (JsonException) { return field; }
        return null;
    }
}
