using System.Globalization;

namespace Pipeline.Scoring;

/// <summary>
/// A devkit loc.txt (run --format devkit): no header, one line per image in the run's image order,
/// `class_index xmin ymin xmax ymax` groups with 1-based class indices; an empty line for an image
/// that was not scored. Read as predictions by image id, given the image order and the class order.
/// </summary>
public static class DevkitLocFile
{
    /// <summary>
    /// A devkit file: lines of whole numbers only, or only empty lines (no image scored). Anything else
    /// is read as a Kaggle CSV, which names what is wrong with it.
    /// </summary>
    public static bool Is(string path)
    {
        if (new FileInfo(path).Length == 0) return false;
        var first = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0);
        return first == null || first.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(t => t.All(char.IsAsciiDigit));
    }

    public static Dictionary<string, List<LabelledBox>> Read(string path, IReadOnlyList<string> imageIds, IReadOnlyList<string> wnids)
    {
        FileKinds.Require(path);
        var lines = File.ReadAllLines(path);
        if (lines.Length > imageIds.Count)
            throw new InputException($"{path}: {lines.Length} lines for the {imageIds.Count} images of --images: not the list its run was given");
        var result = new Dictionary<string, List<LabelledBox>>();
        for (int i = 0; i < lines.Length; i++)
        {
            var tokens = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue; // an image that was not scored
            string where = $"line {i + 1} ({imageIds[i]})";
            if (tokens.Length % 5 != 0)
                throw new InputException($"{path}: {where} has {tokens.Length} numbers, not groups of 5 'class_index xmin ymin xmax ymax'");
            for (int g = 0; g < tokens.Length; g += 5)
            {
                if (!int.TryParse(tokens[g], NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1 || k > wnids.Count)
                    throw new InputException($"{path}: {where}: class index '{tokens[g]}' is not a whole number from 1 to {wnids.Count}");
                tokens[g] = wnids[k - 1];
            }
            result[imageIds[i]] = LocFile.Parse(string.Join(' ', tokens), path, imageIds[i]);
        }
        return result;
    }
}
