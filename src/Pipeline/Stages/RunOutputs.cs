using System.Globalization;
using CsvHelper;
using Pipeline.Scoring;

namespace Pipeline.Stages;

/// <summary>
/// The files of OUTDIR, written as the run goes so that a run stopped half way keeps every finished
/// image: loc.csv (or loc.txt in devkit form), loc_gt.csv with --truth, errors.csv.
/// </summary>
public sealed class RunOutputs : IDisposable
{
    private readonly StreamWriter _loc;
    private readonly CsvWriter? _locCsv;
    private readonly CsvWriter? _gtCsv;
    private readonly StreamWriter? _gt;
    private readonly CsvWriter _errors;
    private readonly StreamWriter _errorsFile;
    public string Format { get; }

    public RunOutputs(string outDir, string format, bool groundTruthBoxes)
    {
        Format = format;
        _loc = new StreamWriter(Path.Combine(outDir, format == "devkit" ? "loc.txt" : "loc.csv"));
        if (format != "devkit")
        {
            _locCsv = new CsvWriter(_loc, CultureInfo.InvariantCulture);
            _locCsv.WriteHeader<LocFile.Row>();
            _locCsv.NextRecord();
        }
        if (groundTruthBoxes)
        {
            _gt = new StreamWriter(Path.Combine(outDir, "loc_gt.csv"));
            _gtCsv = new CsvWriter(_gt, CultureInfo.InvariantCulture);
            _gtCsv.WriteHeader<LocFile.Row>();
            _gtCsv.NextRecord();
        }
        _errorsFile = new StreamWriter(Path.Combine(outDir, "errors.csv"));
        _errors = new CsvWriter(_errorsFile, CultureInfo.InvariantCulture);
        _errors.WriteField("file");
        _errors.WriteField("reason");
        _errors.NextRecord();
        _errorsFile.Flush();
    }

    /// <summary>One image's guesses, best first; classIds are 1-based class indices for the devkit form.</summary>
    public void Add(string imageId, IReadOnlyList<LabelledBox> guesses, IReadOnlyList<int> classIds)
    {
        if (_locCsv != null)
        {
            _locCsv.WriteRecord(new LocFile.Row { ImageId = imageId, PredictionString = LocFile.Format(guesses) });
            _locCsv.NextRecord();
        }
        else
            _loc.WriteLine(string.Join(' ', guesses.Select((g, i) => $"{classIds[i]} {g.Box.XMin} {g.Box.YMin} {g.Box.XMax} {g.Box.YMax}")));
        _loc.Flush();
    }

    public void AddGroundTruthClass(string imageId, LabelledBox box)
    {
        _gtCsv!.WriteRecord(new LocFile.Row { ImageId = imageId, PredictionString = LocFile.Format([box]) });
        _gtCsv.NextRecord();
        _gt!.Flush();
    }

    public void AddError(string file, string reason)
    {
        _errors.WriteField(file);
        _errors.WriteField(reason);
        _errors.NextRecord();
        _errorsFile.Flush();
    }

    public void Dispose()
    {
        _locCsv?.Dispose();
        _loc.Dispose();
        _gtCsv?.Dispose();
        _gt?.Dispose();
        _errors.Dispose();
        _errorsFile.Dispose();
    }
}
