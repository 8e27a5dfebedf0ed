using OpenCvSharp;

namespace Pipeline.Saliency;

/// <summary>
/// RISE's random masks (Petsiuk, Das &amp; Saenko 2018, Sect. 3.2): for each mask a grid of
/// GridSide x GridSide cells, each on with probability `Keep`, where GridSide = ceil(side / Cell);
/// the grid enlarged bilinearly (half-pixel centres, edges held) to (GridSide + 1) x Cell pixels,
/// and a side x side window of it taken at a random shift of 0 to Cell - 1 pixels along each axis.
/// The grids and shifts come from one seeded generator, so a run and a resumed run mask alike.
/// </summary>
public sealed class RiseMasks
{
    public int Side { get; }
    public int Cell { get; }
    public int GridSide { get; }
    /// <summary>Each mask's grid, row-major, 1 for a cell that is on.</summary>
    public byte[][] Grids { get; }
    /// <summary>Each mask's shift (x, y) into the enlarged grid.</summary>
    public (int X, int Y)[] Shifts { get; }

    public RiseMasks(int count, int side, int cell, double keep, int seed)
    {
        Side = side;
        Cell = cell;
        GridSide = (side + cell - 1) / cell;
        var random = new Random(seed);
        Grids = new byte[count][];
        Shifts = new (int, int)[count];
        for (int i = 0; i < count; i++)
        {
            Grids[i] = new byte[GridSide * GridSide];
            for (int j = 0; j < Grids[i].Length; j++) Grids[i][j] = random.NextDouble() < keep ? (byte)1 : (byte)0;
            Shifts[i] = (random.Next(cell), random.Next(cell));
        }
    }

    /// <summary>Mask i, side x side, row-major, values in [0, 1].</summary>
    public float[] Mask(int i)
    {
        int large = (GridSide + 1) * Cell;
        using var grid = new Mat(GridSide, GridSide, MatType.CV_32FC1);
        grid.SetArray(Array.ConvertAll(Grids[i], v => (float)v));
        using var enlarged = grid.Resize(new Size(large, large), 0, 0, InterpolationFlags.Linear);
        using var window = new Mat(enlarged, new Rect(Shifts[i].X, Shifts[i].Y, Side, Side));
        using var copy = window.Clone();
        copy.GetArray(out float[] mask);
        return mask;
    }
}
