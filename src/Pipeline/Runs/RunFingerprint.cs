using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Pipeline.Images;

namespace Pipeline.Runs;

/// <summary>
/// Everything that decides a run's output files: the model, the card, the images, every option
/// that changes a row, and the shard. A run folder stores it (run-state.json); a run into a folder
/// continues it only when the fingerprints agree, and merge joins shards whose fingerprints agree
/// except for the shard index. Threads and device are not in it: they change speed, not rows.
/// </summary>
public sealed record RunFingerprint
{
    public required string ModelSha256 { get; init; }
    public required string CardSha256 { get; init; }
    /// <summary>
    /// SHA-256 of the whole run's image list (every shard's), one path per line in run order, relative to
    /// the folder or list file named by --images: the same data set mounted elsewhere is the same run.
    /// </summary>
    public required string ImagesSha256 { get; init; }
    /// <summary>The hash of full paths that run-state files of earlier versions hold; not stored, only matched.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? FullPathImagesSha256 { get; init; }
    public required int ImageCount { get; init; }
    public string? TruthSha256 { get; init; }
    /// <summary>Options that change rows (and maps), as the command line named them, in a fixed order.</summary>
    public required SortedDictionary<string, string> Options { get; init; }
    /// <summary>The same options in the form earlier versions wrote (<see cref="RunRequest.EarlierOptions"/>); not stored, only matched.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SortedDictionary<string, string>? EarlierOptions { get; init; }
    public required ShardSpec Shard { get; init; }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
    public static string Sha256(string text) => Sha256(Encoding.UTF8.GetBytes(text));

    /// <summary>The <see cref="ImagesSha256"/> of the images listed by --images (a folder or list file).</summary>
    public static string ImagesSha256Of(string images, IEnumerable<ImageEntry> entries) =>
        Sha256(string.Join('\n', entries.Select(i => Path.GetRelativePath(ImageList.Root(images), i.Path))));

    /// <summary>The earlier versions' hash of the same list, by full paths.</summary>
    public static string FullPathImagesSha256Of(IEnumerable<ImageEntry> entries) =>
        Sha256(string.Join('\n', entries.Select(i => Path.GetFullPath(i.Path))));

    /// <summary>The names of what differs from another fingerprint (empty when they agree).</summary>
    public List<string> Differences(RunFingerprint other, bool ignoreShardIndex = false)
    {
        var differences = new List<string>();
        if (ModelSha256 != other.ModelSha256) differences.Add("model");
        if (CardSha256 != other.CardSha256) differences.Add("card");
        if (!SameImages(other) || ImageCount != other.ImageCount) differences.Add("images");
        if (TruthSha256 != other.TruthSha256) differences.Add("--truth");
        differences.AddRange(OptionDifferences(other));
        if (Shard.Count != other.Shard.Count || (!ignoreShardIndex && Shard.Index != other.Shard.Index)) differences.Add("--shard");
        return differences;
    }

    /// <summary>
    /// What to type where a difference has a known cause: Integrated Gradients' folders made before
    /// --ig-rule existed used the midpoint rule at the defaults, which wrote no settings.
    /// </summary>
    public string? Hint(RunFingerprint now) =>
        now.Options.GetValueOrDefault("--map") == "integrated-gradients"
        && Options.GetValueOrDefault("--map") == "integrated-gradients" && !Options.ContainsKey("--map settings")
            ? " (it was made with the midpoint rule before --ig-rule existed: --ig-rule midpoint continues it)" : null;

    /// <summary>The options that differ, in whichever form (this version's or an earlier one's) the two agree best.</summary>
    private List<string> OptionDifferences(RunFingerprint other)
    {
        var forms = new[] { (Options, other.Options), (EarlierOptions, other.Options), (Options, other.EarlierOptions) };
        return forms.Where(f => f.Item1 != null && f.Item2 != null).Select(f => Differing(f.Item1!, f.Item2!)).MinBy(d => d.Count)!;
    }

    private static List<string> Differing(SortedDictionary<string, string> a, SortedDictionary<string, string> b) =>
        a.Keys.Union(b.Keys).Order(StringComparer.Ordinal).Where(key => a.GetValueOrDefault(key) != b.GetValueOrDefault(key)).ToList();

    private bool SameImages(RunFingerprint other) =>
        ImagesSha256 == other.ImagesSha256 || ImagesSha256 == other.FullPathImagesSha256 || FullPathImagesSha256 == other.ImagesSha256;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunFingerprint Parse(string json, string source)
    {
        try { return JsonSerializer.Deserialize<RunFingerprint>(json, Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InputException($"{source}: not a run state file ({Messages.FirstLine(e.Message)}); --restart starts the run over"); }
    }
}
