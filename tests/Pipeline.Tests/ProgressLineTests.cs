using Pipeline.Runs;

namespace Pipeline.Tests;

public class ProgressLineTests
{
    [Theory]
    [InlineData(50_000, 0.1, "5d 18:53:20")] // 500,000 s = 5 x 86,400 + 18 h + 53 min + 20 s
    [InlineData(3_661, 1.0, "01:01:01")]
    [InlineData(0, 2.0, "00:00:00")]
    public void Time_left_keeps_its_days(int images, double rate, string expected) =>
        Assert.Equal(expected, ProgressLine.Left(images, rate));
}
