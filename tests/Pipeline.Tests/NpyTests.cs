using System.Text;
using Pipeline.Outputs;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>The .npy files of run --save-npy: the bytes by the format's spec, and NumPy reading them.</summary>
public class NpyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-npy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_header_is_npy_1_0_padded_to_64_bytes_and_the_data_little_endian_float32()
    {
        var bytes = NpyFile.Float32([1.5f, -2f, 0.25f, 0f, 1f, 3f], 2, 3);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.TrimEnd(' ', '\n'));
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLength + 6 * 4, bytes.Length);
        // 1.5f is 0x3FC00000, stored low byte first.
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x3F }, bytes[(10 + headerLength)..(14 + headerLength)]);
    }

    [Fact]
    public void NumPy_reads_what_we_write_and_we_read_what_NumPy_writes()
    {
        var ours = Path.Combine(_dir, "ours.npy");
        NpyFile.Write(ours, [1.5f, -2f, 0.25f, 0f, 1f, 3f], 2, 3);
        Assert.Equal("float32 (2, 3) [[1.5, -2.0, 0.25], [0.0, 1.0, 3.0]]",
            Python.Run("import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist())", ours));

        var theirs = Path.Combine(_dir, "theirs.npy");
        Python.Run("import numpy, sys; numpy.save(sys.argv[1], numpy.array([[0.5, 0.125], [2.0, -1.0], [7.0, 0.0]]))", theirs);
        var read = NpyFile.Read(theirs);
        Assert.Equal((3, 2), (read.Height, read.Width));
        Assert.Equal([0.5, 0.125, 2.0, -1.0, 7.0, 0.0], read.Values);
    }

    [Fact]
    public void A_file_that_is_not_a_2d_float_npy_is_refused_naming_it()
    {
        var text = Path.Combine(_dir, "text.npy");
        File.WriteAllText(text, "hello");
        Assert.Contains(text, Assert.Throws<InputException>(() => NpyFile.Read(text)).Message);
        var ints = Path.Combine(_dir, "ints.npy");
        Python.Run("import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((4, 4), dtype=numpy.int32))", ints);
        Assert.Contains("'<i4'", Assert.Throws<InputException>(() => NpyFile.Read(ints)).Message);
        var cube = Path.Combine(_dir, "cube.npy");
        Python.Run("import numpy, sys; numpy.save(sys.argv[1], numpy.zeros((2, 2, 2), dtype=numpy.float32))", cube);
        Assert.Contains("not a 2-D map", Assert.Throws<InputException>(() => NpyFile.Read(cube)).Message);
    }

    [Fact]
    public void Maps_are_shrunk_to_224_by_area_and_min_max_normalised()
    {
        // 448x448: the left half 3, the right half 5, one pixel 13 in the top-left 2x2 block.
        var map = new float[448 * 448];
        for (int y = 0; y < 448; y++)
            for (int x = 0; x < 448; x++) map[y * 448 + x] = x < 224 ? 3 : 5;
        map[0] = 13;
        var result = NpyMaps.ToProtocol(map, 448, 448);
        Assert.Equal(224 * 224, result.Length);
        // The 2x2 block averages: (13 + 3 + 3 + 3) / 4 = 5.5 at (0, 0), 3 on the left, 5 on the right; then (v - 3) / (5.5 - 3).
        Assert.Equal(1f, result[0]);
        Assert.Equal(0f, result[1]);
        Assert.Equal(0.8f, result[200], 6);
        Assert.Equal(0f, result[223 * 224 + 100]);
        Assert.Equal(0.8f, result[223 * 224 + 223], 6);
    }

    [Fact]
    public void A_flat_map_becomes_zeros_as_in_the_reference()
    {
        Assert.All(NpyMaps.ToProtocol(Enumerable.Repeat(0.7f, 300 * 250).ToArray(), 300, 250), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Maps_are_named_by_folder_and_file_as_wsolevaluation_ids()
    {
        Assert.Equal("val/ILSVRC2012_val_00000001.JPEG", NpyMaps.MapId("/data/ILSVRC/val/ILSVRC2012_val_00000001.JPEG"));
        Assert.Equal("ILSVRC2012_val_00000001", ScoreMapFolder.ImageId("/out/npy/gt/val/ILSVRC2012_val_00000001.JPEG.npy"));
        Assert.Equal("ILSVRC2012_val_00000001", ScoreMapFolder.ImageId("/maps/ILSVRC2012_val_00000001.npy"));
        Assert.Equal("a.b", ScoreMapFolder.ImageId("/maps/a.b.npy"));
    }
}
