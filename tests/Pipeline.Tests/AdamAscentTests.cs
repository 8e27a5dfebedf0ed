using Pipeline.ClassModels;

namespace Pipeline.Tests;

/// <summary>Adam climbing: its first step is the learning rate in the gradient's sign, whatever the gradient's size; it climbs a concave quadratic to its top.</summary>
public class AdamAscentTests
{
    [Fact]
    public void The_first_step_is_the_learning_rate_along_the_gradients_sign()
    {
        var adam = new AdamAscent(3, 0.05);
        var p = new[] { 1.0, 1.0, 1.0 };
        adam.Step(p, [1000.0, -0.001, 2.0]);
        Assert.Equal(1.05, p[0], 6);
        Assert.Equal(0.95, p[1], 4);
        Assert.Equal(1.05, p[2], 6);
    }

    [Fact]
    public void It_climbs_a_concave_quadratic_to_its_top()
    {
        // f(p) = -(p0 - 3)^2 - 100 (p1 + 1)^2: gradients of very different scales.
        var adam = new AdamAscent(2, 0.01);
        var p = new[] { 0.0, 0.0 };
        for (int i = 0; i < 3000; i++) adam.Step(p, [-2 * (p[0] - 3), -200 * (p[1] + 1)]);
        Assert.True(Math.Abs(p[0] - 3) < 0.02 && Math.Abs(p[1] + 1) < 0.02, $"stopped at ({p[0]}, {p[1]})");
    }
}
