using System.Globalization;
using CsvHelper.Configuration;
using CsvHelper;
using Pipeline.Localisation;

namespace Pipeline.Scoring;

/// <summary>One labelled box: a WordNet id and an inclusive pixel box.</summary>
public readonly record struct LabelledBox(string Wnid, Box Box);

/// <summary>
/// The ImageNet Object Localization Challenge CSV: header `ImageId,PredictionString`, and per image
/// space-separated groups `wnid xmin ymin xmax ymax` (guesses best first, or ground-truth boxes).
/// </summary>
public static class LocFile
{
    public sealed class Row
    {
        public string ImageId { get; set; } = "";
        public string PredictionString { get; set; } = "";
    }

    public static Dictionary<string, List<LabelledBox>> Read(string path)
    {
        FileKinds.Require(path);
        if (new FileInfo(path).Length == 0) throw new InputException($"{path}: empty file, not an ImageId,PredictionString CSV");
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        var result = new Dictionary<string, List<LabelledBox>>();
        var duplicated = new List<string>();
        try
        {
            foreach (var row in csv.GetRecords<Row>())
                if (!result.TryAdd(row.ImageId, Parse(row.PredictionString, path, row.ImageId))) duplicated.Add(row.ImageId);
        }
        catch (Exception e) when (e is CsvHelperException or ArgumentException)
        {
            throw new InputException($"{path}: not an ImageId,PredictionString CSV ({Messages.FirstLine(e.Message)})");
        }
        // A second row for an image would silently replace the first: which one counts is not ours to guess.
        if (duplicated.Count > 0)
            throw new InputException($"{path}: {duplicated.Count} ImageId(s) appear more than once: {string.Join(", ", duplicated.Distinct().Take(10))}{(duplicated.Count > 10 ? ", ..." : "")}");
        return result;
    }

    public static List<LabelledBox> Parse(string predictionString, string path, string imageId)
    {
        var tokens = predictionString.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length % 5 != 0) throw new InputException($"{path}: {imageId}: PredictionString has {tokens.Length} tokens, not groups of 5");
        var boxes = new List<LabelledBox>();
        for (int i = 0; i < tokens.Length; i += 5)
        {
            if (!tokens.Skip(i + 1).Take(4).All(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
                throw new InputException($"{path}: {imageId}: box '{string.Join(' ', tokens.Skip(i).Take(5))}' is not 'wnid xmin ymin xmax ymax'");
            var v = tokens.Skip(i + 1).Take(4).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            if (v[2] < v[0] || v[3] < v[1])
                throw new InputException($"{path}: {imageId}: box '{string.Join(' ', tokens.Skip(i).Take(5))}' has xmax < xmin or ymax < ymin");
            boxes.Add(new LabelledBox(tokens[i], new Box(v[0], v[1], v[2], v[3])));
        }
        return boxes;
    }

    public static string Format(IEnumerable<LabelledBox> boxes) =>
        string.Join(' ', boxes.Select(b => $"{b.Wnid} {b.Box.XMin} {b.Box.YMin} {b.Box.XMax} {b.Box.YMax}"));

    /// <summary>Writes rows in the given order, with CsvHelper.</summary>
    public static void Write(string path, IEnumerable<(string ImageId, IEnumerable<LabelledBox> Boxes)> rows)
    {
        using var writer = new StreamWriter(path);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteRecords(rows.Select(r => new Row { ImageId = r.ImageId, PredictionString = Format(r.Boxes) }));
    }
}
