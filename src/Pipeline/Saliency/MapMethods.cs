
namespace Pipeline.Saliency;

/// <summary>The map methods by CLI name: a new method is one class and one line here.</summary>
public static class MapMethods
{
    public static readonly MapMethod Default = new SaliencyMethod();

    public static readonly IReadOnlyList<MapMethod> All =
    [
        Default, new CamMethod(), new SaliencyTimesCamMethod(), new IntegratedGradientsMethod(), new OcclusionMethod(), new RiseMethod(),
        new InputTimesGradientMethod(),
        new GradCamPlusPlusMethod(),
    ];

    public static MapMethod Parse(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new UsageException($"--map '{name}': expected {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>The method with SmoothGrad around it, unless SmoothGrad is off.</summary>
    public static MapMethod WithSmoothing(MapMethod method, SmoothGrad smooth) => smooth == SmoothGrad.Plain ? method : new SmoothGradMethod(method, smooth);
}
