using Pipeline.Localisation;
using Pipeline.Outputs;
using Pipeline.Scoring;

namespace Pipeline.Tests;

/// <summary>
/// MaxBoxAcc on synthetic 224x224 maps whose boxes, IoUs and curves are worked out by hand, with the
/// reference code's conventions: 8-bit map (truncated v * 255), mask above int(tau * 255), contour box
/// (x, y, x + w, y + h) clipped to 223, IoU with +1 areas.
/// </summary>
public class MaxBoxAccTests
{
    private const int S = 224;

    /// <summary>A map with value v on the inclusive rectangle (x0..x1, y0..y1), later rectangles painted over earlier ones.</summary>
    private static double[] Map(params (int X0, int Y0, int X1, int Y1, double V)[] rectangles)
    {
        var map = new double[S * S];
        foreach (var r in rectangles)
            for (int y = r.Y0; y <= r.Y1; y++)
                for (int x = r.X0; x <= r.X1; x++) map[y * S + x] = r.V;
        return map;
    }

    private static int Index(double tau) => (int)Math.Round(tau * 100);

    [Fact]
    public void One_contour_gives_its_box_one_pixel_wider_than_the_blob_as_the_reference_does()
    {
        // A 60x50 blob at columns 60..119, rows 50..99: boundingRect (60, 50, w 60, h 50) -> box (60, 50, 120, 100) at every tau.
        using var boxes = new ContourBoxes(Map((60, 50, 119, 99, 1.0)), S, S);
        foreach (var tau in new[] { 0.0, 0.5, 0.99 })
        {
            var (largest, all) = boxes.At(tau);
            Assert.Equal(new Box(60, 50, 120, 100), largest);
            Assert.Equal([new Box(60, 50, 120, 100)], all);
        }
        // The ground truth is exactly the blob: IoU = 60*50 / (61*51) with the +1 areas.
        Assert.Equal(3000.0 / 3111, MaxBoxAcc.BestIoU([new Box(60, 50, 120, 100)], [new Box(60, 50, 119, 99)]), 12);

        var score = new MaxBoxAcc();
        score.Add(Map((60, 50, 119, 99, 1.0)), [new Box(60, 50, 119, 99)]);
        var result = score.Score();
        Assert.All(result.V1.Accuracy, a => Assert.Equal(1.0, a));
        Assert.Equal(1.0, result.MaxBoxAccV1);
        Assert.Equal(1.0, result.MaxBoxAccV2);
    }

    [Fact]
    public void Two_contours_v1_takes_the_larger_v2_is_right_with_the_smaller()
    {
        // Image 1: one blob matching its ground truth (right at every tau, both versions).
        // Image 2: a large blob (value 1) and a small one (value 0.5, 8-bit 127) that is the ground truth.
        // The small blob is in the mask while 127 > int(tau * 255): tau <= 0.49 (0.49 * 255 = 124.95), gone from 0.50 (127.5 -> 127).
        var score = new MaxBoxAcc();
        score.Add(Map((60, 50, 119, 99, 1.0)), [new Box(60, 50, 119, 99)]);
        var map = Map((10, 10, 109, 109, 1.0), (150, 150, 179, 179, 0.5));
        using (var boxes = new ContourBoxes(map, S, S))
        {
            var (largest, all) = boxes.At(0.3);
            Assert.Equal(new Box(10, 10, 110, 110), largest);
            Assert.Equal(2, all.Count);
            Assert.Contains(new Box(150, 150, 180, 180), all);
            Assert.Equal([new Box(10, 10, 110, 110)], boxes.At(0.5).All);
        }
        score.Add(map, [new Box(150, 150, 179, 179)]); // IoU with the small blob's box: 900 / 961 = 0.94
        var result = score.Score();

        Assert.All(result.V1.Accuracy, a => Assert.Equal(0.5, a)); // v1 never picks the small blob
        Assert.Equal(0.5, result.MaxBoxAccV1);
        foreach (var curve in result.V2)
        {
            Assert.All(curve.Accuracy[..50], a => Assert.Equal(1.0, a)); // tau 0 .. 0.49: both images
            Assert.All(curve.Accuracy[50..], a => Assert.Equal(0.5, a)); // tau 0.50 .. 0.99: image 1 only
            Assert.Equal(0.0, curve.BestTau);
        }
        Assert.Equal(1.0, result.MaxBoxAccV2);
    }

    [Fact]
    public void An_all_zero_map_has_no_contour_its_box_is_0_0_0_0_and_it_is_wrong()
    {
        using (var boxes = new ContourBoxes(new double[S * S], S, S))
        {
            Assert.Equal(0, boxes.Threshold(0)); // nothing is above 0: an empty mask
            Assert.Equal(new Box(0, 0, 0, 0), boxes.At(0).Largest);
            Assert.Equal([new Box(0, 0, 0, 0)], boxes.At(0).All);
        }
        var score = new MaxBoxAcc();
        score.Add(ProtocolMap.MinMax(Enumerable.Repeat(0.4, S * S).ToArray()), [new Box(50, 50, 150, 150)]); // flat: zeros after normalising
        var result = score.Score();
        Assert.Equal(0.0, result.MaxBoxAccV1);
        Assert.Equal(0.0, result.MaxBoxAccV2);
    }

    [Fact]
    public void Boxes_at_the_border_are_clipped_to_the_last_row_and_column()
    {
        // Columns 200..223 (the right border), rows 0..29 (the top): x + w = 224 is clipped to 223, y + h = 30 is not.
        using (var boxes = new ContourBoxes(Map((200, 0, 223, 29, 1.0)), S, S))
            Assert.Equal(new Box(200, 0, 223, 30), boxes.At(0.2).Largest);
        // A map above every threshold everywhere: the whole image, (0, 0, 223, 223).
        using (var boxes = new ContourBoxes(Map((0, 0, 223, 223, 1.0)), S, S))
            Assert.Equal(new Box(0, 0, 223, 223), boxes.At(0.99).Largest);
        // IoU with the blob as ground truth: 24*30 / (24*31).
        Assert.Equal(720.0 / 744, MaxBoxAcc.BestIoU([new Box(200, 0, 223, 30)], [new Box(200, 0, 223, 29)]), 12);
    }

    [Fact]
    public void Ground_truth_boxes_are_scaled_to_224_and_truncated_as_resize_bbox_does()
    {
        // 448x224 image: x * 224 / 448 truncated (299 -> 149.5 -> 149), y unchanged.
        Assert.Equal(new Box(50, 50, 149, 149), MaxBoxAcc.ToProtocol(new Box(100, 50, 299, 149), 448, 224));
        // 500x375: 499 * 224 / 500 = 223.55 -> 223; 374 * 224 / 375 = 223.40 -> 223; 1 * 224 / 375 = 0.597 -> 0.
        Assert.Equal(new Box(0, 0, 223, 223), MaxBoxAcc.ToProtocol(new Box(0, 1, 499, 374), 500, 375));
    }

    [Fact]
    public void The_curve_at_each_threshold_matches_a_hand_computation()
    {
        // Nested squares: 0.25 (8-bit 63) on 20..179, 0.625 (159) on 60..139, 1 (255) on 90..109.
        // The mask is the outermost square still above int(tau * 255):
        //   63 > int(tau * 255) for tau <= 0.24 (61); 159 > int(tau * 255) for tau <= 0.62 (158; 0.63 gives 160).
        // Boxes: (20, 20, 180, 180) for tau <= 0.24, (60, 60, 140, 140) for 0.25..0.62, (90, 90, 110, 110) from 0.63.
        // Ground truth (50, 50, 149, 149), 100x100: IoUs 10000/25921 = 0.386, 6561/10000 = 0.656, 441/10000 = 0.044.
        var map = Map((20, 20, 179, 179, 0.25), (60, 60, 139, 139, 0.625), (90, 90, 109, 109, 1.0));
        using (var boxes = new ContourBoxes(map, S, S))
        {
            Assert.Equal((61, 63, 158, 160), (boxes.Threshold(0.24), boxes.Threshold(0.25), boxes.Threshold(0.62), boxes.Threshold(0.63)));
            Assert.Equal(new Box(20, 20, 180, 180), boxes.At(0.24).Largest);
            Assert.Equal(new Box(60, 60, 140, 140), boxes.At(0.25).Largest);
            Assert.Equal(new Box(60, 60, 140, 140), boxes.At(0.62).Largest);
            Assert.Equal(new Box(90, 90, 110, 110), boxes.At(0.63).Largest);
        }
        // Two ground-truth images; the second has no map (wrong everywhere). Its box is given in a 448x224 image.
        var truth = new Dictionary<string, List<LabelledBox>>
        {
            ["a"] = [new("n1", new Box(100, 50, 299, 149))],
            ["b"] = [new("n1", new Box(0, 0, 10, 10))],
        };
        var result = MaxBoxAcc.Evaluate(truth, id => id == "a" ? (map, 448, 224) : null);
        Assert.Equal((2, 1), (result.Images, result.Missing));

        double[] Expected(double from, double to) => MaxBoxAcc.Thresholds.Select(t => t >= from - 1e-9 && t <= to + 1e-9 ? 0.5 : 0.0).ToArray();
        Assert.Equal(Expected(0.25, 0.62), result.V1.Accuracy);     // IoU 0.5: the middle square only
        Assert.Equal(0.25, result.V1.BestTau);
        Assert.Equal(Expected(0.0, 0.62), result.V2[0].Accuracy);   // IoU 0.3: the outer and middle squares
        Assert.Equal(Expected(0.25, 0.62), result.V2[1].Accuracy);  // IoU 0.5
        Assert.Equal(Expected(1, 0), result.V2[2].Accuracy);        // IoU 0.7: never
        Assert.Equal(0.5, result.MaxBoxAccV1);
        Assert.Equal((0.5 + 0.5 + 0) / 3, result.MaxBoxAccV2, 12);
        Assert.Equal(0.5, result.V1.Accuracy[Index(0.4)]);
    }

    [Fact]
    public void An_iou_of_exactly_one_half_counts_as_localised_in_v1_and_v2()
    {
        // A blob on columns 10..19 and rows 10..20: boundingRect (10, 10, w 10, h 11), box (10, 10, 20, 21), 11 x 12 = 132 pixels
        // with the +1 areas. The ground truth (10, 10, 20, 15) lies inside it with 11 x 6 = 66 pixels: IoU 66 / 132 = 0.5 exactly.
        var map = Map((10, 10, 19, 20, 1.0));
        using (var boxes = new ContourBoxes(map, S, S))
            Assert.Equal(new Box(10, 10, 20, 21), boxes.At(0.5).Largest);
        Assert.Equal(0.5, MaxBoxAcc.BestIoU([new Box(10, 10, 20, 21)], [new Box(10, 10, 20, 15)]));
        var score = new MaxBoxAcc();
        score.Add(map, [new Box(10, 10, 20, 15)]);
        var result = score.Score();
        Assert.All(result.V1.Accuracy, a => Assert.Equal(1.0, a));          // IoU >= 0.5
        Assert.All(result.V2[0].Accuracy, a => Assert.Equal(1.0, a));       // >= 0.3
        Assert.All(result.V2[1].Accuracy, a => Assert.Equal(1.0, a));       // >= 0.5
        Assert.All(result.V2[2].Accuracy, a => Assert.Equal(0.0, a));       // not >= 0.7
    }

    [Fact]
    public void A_map_of_another_size_and_a_score_of_no_images_are_refused()
    {
        var score = new MaxBoxAcc();
        Assert.Throws<InvalidOperationException>(() => score.Score());
        Assert.Throws<ArgumentException>(() => score.Add(new double[100 * 100], [new Box(0, 0, 9, 9)]));
    }
}
