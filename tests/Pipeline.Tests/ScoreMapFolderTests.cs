using Pipeline.Outputs;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>How `eval --protocol maxboxacc` finds an image's score map and original size in a folder (wsolevaluation's layout).</summary>
public class ScoreMapFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-maps-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Map(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpyFile.Write(path, [0f, 1f, 2f, 3f], 2, 2);
        return path;
    }

    [Theory]
    [InlineData("val/ILSVRC2012_val_00000001.JPEG.npy", "ILSVRC2012_val_00000001")]
    [InlineData("ILSVRC2012_val_00000001.npy", "ILSVRC2012_val_00000001")]
    [InlineData("dog.png.npy", "dog")]
    [InlineData("dog.v2.npy", "dog.v2")]   // not an image extension: part of the id
    public void The_image_id_is_the_file_name_without_npy_and_an_image_extension(string file, string id)
        => Assert.Equal(id, ScoreMapFolder.ImageId(Path.Combine(_root, file)));

    [Fact]
    public void Maps_at_any_depth_take_their_sizes_from_the_folder_above()
    {
        Map("npy/gt/val/a.JPEG.npy");
        Map("npy/gt/b.npy");
        File.WriteAllText(Path.Combine(_root, "npy", NpyMaps.SizesFile), "val/a.JPEG,500,375\n\nb,20,30\n");
        var folder = new ScoreMapFolder(Path.Combine(_root, "npy", "gt"));
        Assert.Equal(2, folder.Count);
        var (map, width, height) = folder.Load("a")!.Value;
        Assert.Equal((500, 375), (width, height));
        Assert.Equal(224 * 224, map.Length);
        Assert.Equal((0.0, 1.0), (map.Min(), map.Max()));
        Assert.Equal((20, 30), (folder.Load("b")!.Value.Width, folder.Load("b")!.Value.Height));
        Assert.Null(folder.Load("c"));
    }

    [Fact]
    public void Sizes_in_the_folder_itself_are_found_too()
    {
        Map("maps/a.npy");
        File.WriteAllText(Path.Combine(_root, "maps", NpyMaps.SizesFile), "a,7,9\n");
        Assert.Equal((7, 9), (new ScoreMapFolder(Path.Combine(_root, "maps")).Load("a")!.Value.Width, new ScoreMapFolder(Path.Combine(_root, "maps")).Load("a")!.Value.Height));
    }

    [Fact]
    public void Two_maps_for_one_image_are_refused_naming_both()
    {
        var first = Map("maps/a.npy");
        var second = Map("maps/sub/a.JPEG.npy");
        File.WriteAllText(Path.Combine(_root, "maps", NpyMaps.SizesFile), "a,7,9\nsub/a.JPEG,7,9\n");
        var error = Assert.Throws<InputException>(() => new ScoreMapFolder(Path.Combine(_root, "maps")));
        Assert.Contains(first, error.Message);
        Assert.Contains(second, error.Message);
    }

    [Theory]
    [InlineData("a,7,9\na,0,9\n", "line 2")]
    [InlineData("a,7,9\n\na,7,-1\n", "line 3")]
    [InlineData("a,7\n", "line 1")]
    public void A_bad_size_line_is_refused_naming_the_line(string sizes, string line)
    {
        Map("maps/a.npy");
        var file = Path.Combine(_root, "maps", NpyMaps.SizesFile);
        File.WriteAllText(file, sizes);
        var error = Assert.Throws<InputException>(() => new ScoreMapFolder(Path.Combine(_root, "maps")));
        Assert.Contains(file, error.Message);
        Assert.Contains(line, error.Message);
    }

    [Fact]
    public void A_missing_folder_sizes_file_or_size_is_refused()
    {
        Assert.Throws<InputException>(() => new ScoreMapFolder(Path.Combine(_root, "nowhere")));
        Map("maps/a.npy");
        Map("maps/b.npy");
        Assert.Contains(NpyMaps.SizesFile, Assert.Throws<InputException>(() => new ScoreMapFolder(Path.Combine(_root, "maps"))).Message);
        File.WriteAllText(Path.Combine(_root, "maps", NpyMaps.SizesFile), "a,7,9\n");
        var folder = new ScoreMapFolder(Path.Combine(_root, "maps"));
        Assert.NotNull(folder.Load("a"));
        Assert.Contains("no size for b", Assert.Throws<InputException>(() => folder.Load("b")).Message);
    }
}
