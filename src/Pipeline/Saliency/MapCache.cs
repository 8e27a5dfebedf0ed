using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OpenCvSharp;

namespace Pipeline.Saliency;

/// <summary>Maps read back from the cache: the classes with maps, every class's averaged score, the maps.</summary>
public sealed record CachedMaps(int[] Classes, float[] Scores, float[][] Maps);

/// <summary>
/// Saliency maps kept on disk between runs (`run --map-cache DIR`), so that trying localisation
/// settings does not recompute gradients. A file is keyed by the image's content, the model, the
/// card and every setting that changes a map (crops, working side, classes wanted), never by the
/// file's name alone: another image of the same name gets its own entry.
/// An entry is a header (magic, format version, payload length, SHA-256 of the payload) and its
/// payload (class count, map length, classes, scores, maps; little-endian). An entry that is damaged,
/// of another version, or whose values do not fit the model and image is never trusted: it is a miss,
/// recomputed and overwritten, and said once (<see cref="TakeNotices"/>, <see cref="BadEntries"/>).
/// </summary>
public sealed class MapCache(string folder, string modelSha256, string cardJson, ExplainSettings settings, int classCount)
{
    public const int FormatVersion = 2;
    public const int HeaderSize = 4 + 4 + 8 + 32;
    public static ReadOnlySpan<byte> Magic => "PMAP"u8;

    private readonly string _settings = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{modelSha256}\n{cardJson}\n{settings.Crops}\n{settings.WorkingSide}\n{settings.Top}" + settings.Method.KeyPart)))[..16];

    private readonly ConcurrentDictionary<string, string> _bad = new();
    private readonly ConcurrentQueue<string> _notices = new();
    private int _writeFailed;

    public string Folder => folder;

    /// <summary>Entries found damaged or unfit and recomputed, each counted once.</summary>
    public int BadEntries => _bad.Count;

    /// <summary>Why the cache could not be written (the first failure), or null.</summary>
    public string? WriteFailure { get; private set; }

    /// <summary>The one-line notices given since the last call (bad entries, a cache that cannot be written).</summary>
    public IReadOnlyList<string> TakeNotices()
    {
        var lines = new List<string>();
        while (_notices.TryDequeue(out var line)) lines.Add(line);
        return lines;
    }

    /// <summary>
    /// The cache key of an image file: its content's hash and the run's settings, and the image's crop
    /// count where an elongated image has more than asked (maps kept before its gaps were covered are not reused).
    /// </summary>
    public string KeyFor(string imagePath, int crops)
    {
        using var stream = File.OpenRead(imagePath);
        return $"{_settings}/{Convert.ToHexStringLower(SHA256.HashData(stream))}{(crops == settings.Crops ? "" : $"-{crops}crops")}";
    }

    private string FileFor(string key) => Path.Combine(folder, key + ".maps");

    /// <summary>The entry's maps, or null for a miss: no entry, one made without this ground-truth class, or a bad one.</summary>
    public CachedMaps? Load(string key, int? groundTruthClass, Size working)
    {
        var file = FileFor(key);
        if (!File.Exists(file)) return null;
        CachedMaps? maps;
        string? problem;
        try
        {
            using var stream = File.OpenRead(file);
            (maps, problem) = Read(stream, working.Width * working.Height);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { (maps, problem) = (null, Messages.FirstLine(e.Message)); }
        if (problem != null)
        {
            if (_bad.TryAdd(file, problem)) _notices.Enqueue($"notice: map cache entry {file}: {problem}; recomputed");
            return null;
        }
        if (groundTruthClass is { } gt && !maps!.Classes.Contains(gt)) return null;
        return maps;
    }

    /// <summary>
    /// The maps of an entry, or why they cannot be trusted. Sizes are checked against the header and
    /// the run before anything is allocated; values are checked only once the checksum holds.
    /// </summary>
    private (CachedMaps? Maps, string? Problem) Read(Stream stream, int mapLength)
    {
        var header = new byte[HeaderSize];
        if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize) return (null, $"{stream.Length} bytes, shorter than the header");
        if (!header.AsSpan(0, 4).SequenceEqual(Magic)) return (null, "not a map cache entry of this version of Pipeline");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        if (version != FormatVersion) return (null, $"format version {version}, this Pipeline reads {FormatVersion}");
        long length = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)), actual = stream.Length - HeaderSize;
        if (length != actual) return (null, $"payload of {actual} bytes, the header says {length}");
        if (length < 12) return (null, "payload shorter than its counts");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] Next(long bytes)
        {
            var chunk = new byte[bytes];
            stream.ReadExactly(chunk);
            hash.AppendData(chunk);
            return chunk;
        }
        var counts = Next(8);
        int count = BinaryPrimitives.ReadInt32LittleEndian(counts), length0 = BinaryPrimitives.ReadInt32LittleEndian(counts.AsSpan(4));
        if (length0 != mapLength) return (null, $"maps of {length0} values, the image's working size has {mapLength}");
        // The top classes, and the ground-truth class when it is not among them.
        if (count < settings.Top || count > settings.Top + 1) return (null, $"{count} classes, expected {settings.Top} or {settings.Top + 1}");
        if (length < 4L * (3 + count)) return (null, "payload shorter than its counts");
        var classes = Ints(Next(4L * count));
        int scoreCount = BinaryPrimitives.ReadInt32LittleEndian(Next(4));
        if (scoreCount != classCount) return (null, $"{scoreCount} scores, the model has {classCount} classes");
        long expected = 4L * (3 + count + scoreCount + (long)count * mapLength);
        if (length != expected) return (null, $"payload of {length} bytes, its counts need {expected}");
        var scores = Floats(Next(4L * scoreCount));
        var maps = Enumerable.Range(0, count).Select(_ => Floats(Next(4L * mapLength))).ToArray();
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(header.AsSpan(16, 32))) return (null, "checksum does not match");

        foreach (var c in classes)
            if (c < 0 || c >= classCount) return (null, $"class index {c} outside the model's {classCount} classes");
        if (classes.Distinct().Count() != count) return (null, "a class is listed twice");
        return (new CachedMaps(classes, scores, maps), null);
    }

    private static int[] Ints(byte[] bytes) => Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4))).ToArray();

    private static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        return values;
    }

    /// <summary>Writes an entry: a header left blank, the payload (hashed as it goes), then the header.</summary>
    private static void Write(Stream stream, int[] classes, float[] scores, float[][] maps)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(byte[] bytes)
        {
            stream.Write(bytes);
            hash.AppendData(bytes);
        }
        static byte[] Bytes(int count, Action<Span<byte>, int> write)
        {
            var bytes = new byte[4L * count];
            for (int i = 0; i < count; i++) write(bytes.AsSpan(i * 4), i);
            return bytes;
        }
        stream.Write(new byte[HeaderSize]);
        Put(Bytes(2, (b, i) => BinaryPrimitives.WriteInt32LittleEndian(b, i == 0 ? classes.Length : maps[0].Length)));
        Put(Bytes(classes.Length, (b, i) => BinaryPrimitives.WriteInt32LittleEndian(b, classes[i])));
        Put(Bytes(1, (b, _) => BinaryPrimitives.WriteInt32LittleEndian(b, scores.Length)));
        Put(Bytes(scores.Length, (b, i) => BinaryPrimitives.WriteSingleLittleEndian(b, scores[i])));
        foreach (var map in maps) Put(Bytes(map.Length, (b, i) => BinaryPrimitives.WriteSingleLittleEndian(b, map[i])));

        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), stream.Length - HeaderSize);
        hash.GetHashAndReset().CopyTo(header.AsSpan(16));
        stream.Position = 0;
        stream.Write(header);
    }

    /// <summary>
    /// Keeps the maps for the key. Two images of the same content can be in flight at once, so each
    /// writes its own partial file; a cache that cannot be written is only a missed reuse, never the
    /// image's failure (its maps are already computed), and is said once per run.
    /// </summary>
    public void Save(string key, int[] classes, float[] scores, float[][] maps)
    {
        var file = FileFor(key);
        var partial = $"{file}.{Guid.NewGuid():N}.partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var stream = File.Create(partial)) Write(stream, classes, scores, maps);
            File.Move(partial, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _writeFailed, 1) == 0)
            {
                WriteFailure = Messages.FirstLine(e.Message);
                _notices.Enqueue($"notice: map cache {folder} cannot be written ({WriteFailure}); maps are computed but not kept");
            }
            try { File.Delete(partial); }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { } // a leftover partial file is never read
        }
    }
}
