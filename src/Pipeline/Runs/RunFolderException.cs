namespace Pipeline.Runs;

/// <summary>
/// A write into the run folder failed (a full disk, a folder made read-only): the run stops with one
/// line, having kept every finished image. It is never an image's fault, so never an errors.csv row.
/// </summary>
public sealed class RunFolderException(string folder, Exception cause, int finished)
    : InputException($"{folder}: cannot write ({Messages.FirstLine(cause.Message)}); stopped after {finished} finished images, rerun the same command to continue");
