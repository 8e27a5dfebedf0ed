using Pipeline.Localisation;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>Reading ILSVRC localisation files (ImageId,PredictionString): what is a box, and what is refused with the file and the row named.</summary>
public class LocFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-locfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid()}.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_one_pixel_box_is_a_box()
    {
        // Corners are inclusive: xmin = xmax and ymin = ymax is one pixel, not an empty box.
        var read = LocFile.Read(Write("ImageId,PredictionString\na,n1 5 7 5 7 n2 0 0 3 0\n"));
        Assert.Equal([new LabelledBox("n1", new Box(5, 7, 5, 7)), new LabelledBox("n2", new Box(0, 0, 3, 0))], read["a"]);
    }

    [Theory]
    [InlineData("ImageId,PredictionString\na,n1 0 0 9 9 n2 9 0 0 9\n", "box 'n2 9 0 0 9' has xmax < xmin")]
    [InlineData("ImageId,PredictionString\na,n1 0 5 9 4\n", "box 'n1 0 5 9 4' has xmax < xmin or ymax < ymin")]
    [InlineData("ImageId,PredictionString\na,n1 0 0 9 9 n2 0 0 x 9\n", "box 'n2 0 0 x 9' is not 'wnid xmin ymin xmax ymax'")]
    [InlineData("ImageId,Boxes\na,n1 0 0 9 9\n", "not an ImageId,PredictionString CSV")]
    public void A_bad_row_is_refused_quoting_the_box(string text, string reason)
    {
        var path = Write(text);
        var error = Assert.Throws<InputException>(() => LocFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_folder_is_refused_as_a_folder()
    {
        var error = Assert.Throws<InputException>(() => LocFile.Read(_dir));
        Assert.Contains(_dir, error.Message);
        Assert.Contains("a folder", error.Message);
    }
}
