using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace Pipeline.Tests;

/// <summary>
/// `run --map-cache`: an entry that is damaged, cut, of another format version or holds values the
/// model cannot have is recomputed, so the run's files are those of a run without a cache, and it is
/// counted in run.json and named in one notice; a cache that cannot be written is said once and the
/// run goes on. Two ILSVRC dev images, one crop, ground-truth boxes. The entry layout the damage is
/// aimed at: "PMAP", version (int32), payload length (int64), SHA-256 of the payload, then the payload
/// (class count, map length, classes, score count, scores, maps).
/// </summary>
public class MapCacheTests(GradientModelFixture model) : IClassFixture<GradientModelFixture>, IDisposable
{
    private const int Header = 48;
    private const int Classes = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-cache-").FullName;
    private static readonly string[] Files = ["loc.csv", "loc_gt.csv", "errors.csv"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Stdout, string Stderr, string Out) Run(string name, string? cache)
    {
        var list = Path.Combine(_dir, "images.txt");
        File.WriteAllLines(list, Directory.GetFiles(CommandLine.Shared("data", "ilsvrc-dev", "images")).Order(StringComparer.Ordinal).Take(2));
        var output = Path.Combine(_dir, name);
        string[] args = ["run", "--model", model.Model, "--images", list, "--out", output, "--crops", "1", "--device", "cpu", "--quiet", "--threads", "1",
            "--truth", CommandLine.Shared("data", "ilsvrc-dev", "LOC_val_solution.csv")];
        var (code, stdout, stderr) = CommandLine.Run(cache == null ? args : [.. args, "--map-cache", cache]);
        return (code, stdout, stderr, output);
    }

    private static void SameFiles(string expected, string actual)
    {
        foreach (var f in Files) Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
    }

    private static JsonElement CacheReport(string output) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "run.json"))).RootElement.GetProperty("mapCache");

    private static string[] CacheNotices(string stderr) => stderr.Split('\n').Where(l => l.Contains("map cache")).ToArray();

    private static void Damage(string entry, string how)
    {
        var bytes = File.ReadAllBytes(entry);
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Header));
        int firstClass = Header + 8, firstMap = Header + 8 + 4 * count + 4 + 4 * Classes;
        void Reseal() => SHA256.HashData(bytes.AsSpan(Header)).CopyTo(bytes.AsSpan(16));
        switch (how)
        {
            case "flip": // same length: a run of map values become huge
                for (int i = 0; i < 64; i++) bytes[firstMap + 400 + i] ^= 0x7f;
                break;
            case "class": // the top class becomes another, in range
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(firstClass), (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(firstClass)) + 1) % Classes);
                break;
            case "class-resealed": // past the checksum: an index the model does not have
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(firstClass), Classes);
                Reseal();
                break;
            case "count-resealed": // past the checksum: one class fewer than --top
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Header), 4);
                Reseal();
                break;
            case "truncate":
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case "empty":
                bytes = [];
                break;
            case "version":
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 1);
                break;
        }
        File.WriteAllBytes(entry, bytes);
    }

    [Theory]
    [InlineData("flip", "checksum does not match")]
    [InlineData("class", "checksum does not match")]
    [InlineData("class-resealed", "class index 1000 outside the model's 1000 classes")]
    [InlineData("count-resealed", "4 classes, expected 5 or 6")]
    [InlineData("truncate", "the header says")]
    [InlineData("empty", "0 bytes, shorter than the header")]
    [InlineData("version", "format version 1")]
    public void A_bad_entry_is_recomputed_to_the_files_of_a_run_without_cache_counted_and_named(string damage, string reason)
    {
        var reference = Run("reference", null);
        Assert.True(reference.Code == 0, reference.Stderr);
        var cache = Path.Combine(_dir, "cache");
        var fill = Run("fill", cache);
        Assert.True(fill.Code == 0, fill.Stderr);
        Assert.Equal(0, CacheReport(fill.Out).GetProperty("badEntriesRecomputed").GetInt32());
        var entries = Directory.GetFiles(cache, "*.maps", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, entries.Length);

        Damage(entries[0], damage);
        var damaged = Run("damaged", cache);
        Assert.True(damaged.Code == 0, damaged.Stderr);
        Assert.Contains("2 images, 0 skipped, 0 errors", damaged.Stdout);
        SameFiles(reference.Out, damaged.Out);
        Assert.Equal(1, CacheReport(damaged.Out).GetProperty("badEntriesRecomputed").GetInt32());
        var notice = Assert.Single(CacheNotices(damaged.Stderr));
        Assert.StartsWith($"notice: map cache entry {entries[0]}: ", notice);
        Assert.Contains(reason, notice);
        Assert.EndsWith("; recomputed", notice);

        // The entry was overwritten with a good one: the next run reads it without a word.
        var again = Run("again", cache);
        Assert.True(again.Code == 0, again.Stderr);
        SameFiles(reference.Out, again.Out);
        Assert.Equal(0, CacheReport(again.Out).GetProperty("badEntriesRecomputed").GetInt32());
        Assert.Empty(CacheNotices(again.Stderr));
    }

    [Fact]
    public void A_cache_that_cannot_be_written_is_said_once_and_the_run_succeeds()
    {
        var reference = Run("reference", null);
        Assert.True(reference.Code == 0, reference.Stderr);
        // The tests run as root, for whom a read-only folder is writable: a regular file stands where a folder should be.
        var blocker = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocker, "not a folder");
        var cache = Path.Combine(blocker, "cache");
        var run = Run("unwritable", cache);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("2 images, 0 skipped, 0 errors", run.Stdout);
        SameFiles(reference.Out, run.Out);
        var notice = Assert.Single(CacheNotices(run.Stderr));
        Assert.StartsWith($"notice: map cache {cache} cannot be written (", notice);
        Assert.False(string.IsNullOrEmpty(CacheReport(run.Out).GetProperty("writeFailure").GetString()));
        Assert.Equal("not a folder", File.ReadAllText(blocker));
    }
}
