using Pipeline.Localisation;

namespace Pipeline.Tests;

/// <summary>Box geometry with inclusive pixel corners: overlap, and a box carried from one image size to another, against pixel counting.</summary>
public class BoxTests
{
    [Fact]
    public void Boxes_that_overlap_along_one_axis_only_have_no_intersection()
    {
        // Same rows, columns 0..1 and 5..6: the column overlap is negative (-3), the row overlap 2 pixels.
        // Their product is not an area: IoU is 0, not -6 / 14. Likewise with the axes swapped.
        Assert.Equal(0, new Box(0, 0, 1, 1).IoU(new Box(5, 0, 6, 1)));
        Assert.Equal(0, new Box(0, 0, 1, 1).IoU(new Box(0, 5, 1, 6)));
        // Touching edges share no pixel row: 0..4 and 5..9.
        Assert.Equal(0, new Box(0, 0, 4, 9).IoU(new Box(5, 0, 9, 9)));
    }

    [Fact]
    public void A_rescaled_box_covers_the_same_part_of_the_image()
    {
        // Columns 10..29 of a 100-wide image are [10, 30) of it; at 200 wide that is [20, 60): pixels 20..59.
        // Rows 20..39 of 100 at 50 high: [10, 20): pixels 10..19.
        Assert.Equal(new Box(20, 10, 59, 19), new Box(10, 20, 29, 39).Rescale(100, 100, 200, 50));
        // Down by 3: pixels 1..4 of 9 are [1/3, 5/3) of 3 pixels: it touches pixels 0 and 1.
        Assert.Equal(new Box(0, 0, 1, 1), new Box(1, 1, 4, 4).Rescale(9, 9, 3, 3));
    }

    [Fact]
    public void The_whole_image_rescales_to_the_whole_image_at_every_size()
    {
        for (int from = 1; from <= 64; from++)
        for (int to = 1; to <= 64; to++)
            Assert.Equal(Box.Whole(to, 2 * to), Box.Whole(from, from).Rescale(from, from, to, 2 * to));
        // A box reaching past the image's last pixel stops at the last pixel of the target.
        Assert.Equal(new Box(10, 20, 19, 39), new Box(5, 5, 14, 24).Rescale(10, 10, 20, 40));
    }

    /// <summary>
    /// The independent truth: pixel c of the target (the interval [c, c + 1)) is in the box when it overlaps the box's
    /// interval [min * to / from, (max + 1) * to / from) by a positive length; decided in integers, so without rounding.
    /// </summary>
    private static (int Min, int Max) Covered(int min, int max, int from, int to)
    {
        var pixels = Enumerable.Range(0, to).Where(c => (long)(c + 1) * from > (long)min * to && (long)c * from < (long)(max + 1) * to).ToList();
        return (pixels[0], pixels[^1]);
    }

    [Fact]
    public void Rescaled_boxes_match_pixel_counting_at_every_size_up_to_40()
    {
        // E.g. pixels 0..6 of 14 are exactly half the image: 0..28 of 58 (7 * 58 / 14 = 29 exactly,
        // where 7 * (58.0 / 14) rounds to 29.000000000000004).
        Assert.Equal(new Box(0, 0, 28, 28), new Box(0, 0, 6, 6).Rescale(14, 14, 58, 58));
        for (int from = 1; from <= 40; from++)
        for (int to = 1; to <= 40; to++)
        for (int min = 0; min < from; min++)
        for (int max = min; max < from; max++)
        {
            var (x0, x1) = Covered(min, max, from, to);
            var box = new Box(min, 0, max, from - 1).Rescale(from, from, to, to);
            if ((box.XMin, box.XMax) != (x0, x1))
                Assert.Fail($"pixels {min}..{max} of {from} rescaled to {to}: {box.XMin}..{box.XMax}, pixel counting gives {x0}..{x1}");
        }
    }
}
