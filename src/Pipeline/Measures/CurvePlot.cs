using System.Globalization;
using System.Text;

namespace Pipeline.Measures;

/// <summary>The mean deletion and insertion curves as a small SVG line plot (probability over the fraction of pixels), self-contained.</summary>
public static class CurvePlot
{
    private const int Width = 520, Height = 320, Left = 60, Right = 170, Top = 30, Bottom = 50;

    public static string Svg(double[] fractions, double[] deletion, double[] insertion, double deletionAuc, double insertionAuc, int images)
    {
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        string X(double f) => N(Left + f * plotW);
        string Y(double p) => N(Top + (1 - p) * plotH);
        string Line(double[] p) => string.Join(' ', fractions.Select((f, k) => $"{X(f)},{Y(Math.Clamp(p[k], 0, 1))}"));
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">")
            .Append($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>")
            .Append($"<text x=\"{Left}\" y=\"18\" font-size=\"13\">Mean class probability over {images} images</text>");
        foreach (var t in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            svg.Append($"<line x1=\"{X(0)}\" y1=\"{Y(t)}\" x2=\"{X(1)}\" y2=\"{Y(t)}\" stroke=\"#ddd\"/>")
                .Append($"<text x=\"{Left - 6}\" y=\"{N(Top + (1 - t) * plotH + 4)}\" text-anchor=\"end\">{N(t)}</text>")
                .Append($"<text x=\"{X(t)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{N(t)}</text>");
        }
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>")
            .Append($"<text x=\"{N(Left + plotW / 2.0)}\" y=\"{Height - 12}\" text-anchor=\"middle\">fraction of pixels deleted or inserted (map order)</text>")
            .Append($"<text transform=\"translate(16 {N(Top + plotH / 2.0)}) rotate(-90)\" text-anchor=\"middle\">probability</text>")
            .Append($"<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"{Line(deletion)}\"/>")
            .Append($"<polyline fill=\"none\" stroke=\"#2471a3\" stroke-width=\"2\" points=\"{Line(insertion)}\"/>");
        int legend = Width - Right + 14;
        svg.Append($"<line x1=\"{legend}\" y1=\"{Top + 10}\" x2=\"{legend + 24}\" y2=\"{Top + 10}\" stroke=\"#c0392b\" stroke-width=\"2\"/>")
            .Append($"<text x=\"{legend + 30}\" y=\"{Top + 14}\">deletion, AUC {deletionAuc.ToString("0.000", CultureInfo.InvariantCulture)}</text>")
            .Append($"<line x1=\"{legend}\" y1=\"{Top + 32}\" x2=\"{legend + 24}\" y2=\"{Top + 32}\" stroke=\"#2471a3\" stroke-width=\"2\"/>")
            .Append($"<text x=\"{legend + 30}\" y=\"{Top + 36}\">insertion, AUC {insertionAuc.ToString("0.000", CultureInfo.InvariantCulture)}</text>")
            .Append($"<text x=\"{legend}\" y=\"{Top + 60}\" fill=\"#555\">(lower deletion and</text><text x=\"{legend}\" y=\"{Top + 74}\" fill=\"#555\">higher insertion: the</text><text x=\"{legend}\" y=\"{Top + 88}\" fill=\"#555\">map explains the model)</text>")
            .Append("</svg>\n");
        return svg.ToString();
    }
}
