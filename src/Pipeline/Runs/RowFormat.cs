using System.Globalization;
using CsvHelper;
using Pipeline.Cards;
using Pipeline.Images;
using Pipeline.Saliency;
using Pipeline.Scoring;

namespace Pipeline.Runs;

/// <summary>The rows one image adds: its loc row (null for a failed image in kaggle form), its loc_gt row, its errors.csv row, its predictions.csv rows.</summary>
public sealed record ImageRows(string? Loc, string? GroundTruth, string? Error, string? Predictions = null);

/// <summary>
/// The rows one image adds to a run's files, as text: computed with the image (on its worker), written
/// by <see cref="RunOutputs.Commit"/>.
/// </summary>
public sealed class RowFormat(string format)
{
    public bool Devkit => format == "devkit";

    /// <summary>The rows of a scored image: its guesses in loc.csv (or loc.txt), its ground-truth class box, a warning, one predictions.csv row per class.</summary>
    public ImageRows Scored(ImageEntry image, ImageResult result, ModelCard card)
    {
        var guesses = result.Top.Select(r => new LabelledBox(card.Classes[r.ClassIndex].Wnid, r.OriginalBox)).ToList();
        var loc = Devkit
            ? string.Join(' ', result.Top.Select((r, i) => $"{r.ClassIndex + 1} {guesses[i].Box.XMin} {guesses[i].Box.YMin} {guesses[i].Box.XMax} {guesses[i].Box.YMax}")) + "\n"
            : CsvLine([image.Id, LocFile.Format(guesses)]);
        var groundTruth = result.GroundTruthClass is { } gt ? CsvLine([image.Id, LocFile.Format([new LabelledBox(card.Classes[gt.ClassIndex].Wnid, gt.OriginalBox)])]) : null;
        var warning = result.Original.Warning is { } w ? CsvLine([image.Path, image.Id, "warning", w]) : null;
        var predictions = string.Concat(result.Top.Select((r, i) => CsvLine([
            image.Id, (i + 1).ToString(CultureInfo.InvariantCulture), card.Classes[r.ClassIndex].Wnid, card.Classes[r.ClassIndex].Name,
            r.Probability.ToString("G6", CultureInfo.InvariantCulture), r.Score.ToString("G6", CultureInfo.InvariantCulture),
            .. new[] { r.OriginalBox.XMin, r.OriginalBox.YMin, r.OriginalBox.XMax, r.OriginalBox.YMax }.Select(v => v.ToString(CultureInfo.InvariantCulture))])));
        return new ImageRows(loc, groundTruth, warning, predictions);
    }

    /// <summary>
    /// The rows of an image that could not be scored: errors.csv ("skipped" for bad input, "error" for
    /// anything else, which a rerun retries), and an empty loc.txt line in devkit form (one line per image).
    /// </summary>
    public ImageRows Failed(string imageId, string path, string reason, ImageStatus status) =>
        new(Devkit ? "\n" : null, null, CsvLine([path, imageId, status == ImageStatus.Error ? "error" : "skipped", reason]));

    /// <summary>A CSV record as CsvHelper writes it (quoting where needed), with its line ending.</summary>
    public static string CsvLine(IEnumerable<string> fields)
    {
        using var text = new StringWriter();
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            foreach (var f in fields) csv.WriteField(f);
            csv.NextRecord();
        }
        return text.ToString();
    }
}
