using GradientGraphs.Building;
using Onnx;
using Pipeline.Cards;

namespace Pipeline.Inference;

/// <summary>
/// The gradient model's contract (<see cref="GradientModelContract"/>), read once from its
/// metadata_props and graph: the commands ask this, not the raw metadata strings.
/// </summary>
public sealed class GradientModelInfo
{
    /// <summary>The model as errors name it.</summary>
    public required string ModelName { get; init; }
    /// <summary>The backward rule (metadata gradient.rule, as --rule writes it).</summary>
    public required AttributionMethod Rule { get; init; }
    public required string ImageInput { get; init; }
    public required string ScoreOutput { get; init; }
    public required string ScoreTensor { get; init; }
    /// <summary>The feature tensor behind the Grad-CAM output; null without export-grad --cam.</summary>
    public string? CamTensor { get; init; }
    public string? BuilderVersion { get; init; }
    public string? SourceSha256 { get; init; }
    /// <summary>The score output is a Softmax's: already probabilities.</summary>
    public bool ScoreIsSoftmax { get; init; }
    /// <summary>The card export-grad stored; null when none is stored or it does not read (<see cref="StoredCardProblem"/>).</summary>
    public ModelCard? StoredCard { get; init; }
    /// <summary>Why the stored card was refused, one line naming the field; null when it reads or none is stored.</summary>
    public string? StoredCardProblem { get; init; }

    public bool HasStoredCard => StoredCard != null || StoredCardProblem != null;

    public static bool IsGradientModel(ModelProto model) =>
        model.MetadataProps.Any(p => p.Key == GradientModelContract.ScoreTensorKey)
        && model.Graph.Input.Any(i => i.Name == GradientModelContract.ClassIndexInput);

    public static GradientModelInfo Read(ModelProto model, string modelName)
    {
        if (!IsGradientModel(model))
            throw new InputException($"{modelName}: not a gradient model (no class_index input or gradient metadata); make one with `Pipeline export-grad`");
        var metadata = new Dictionary<string, string>();
        foreach (var p in model.MetadataProps)
            if (!metadata.TryAdd(p.Key, p.Value)) throw new InputException($"{modelName}: metadata_props holds '{p.Key}' twice");
        string Required(string key) => metadata.TryGetValue(key, out var v) && v.Length > 0 ? v
            : throw new InputException($"{modelName}: gradient metadata '{key}' is missing; export the model again with `Pipeline export-grad`");

        // Models from before the rule was recorded computed the plain gradient.
        var rule = metadata.GetValueOrDefault(GradientModelContract.RuleKey, "gradient");
        var rules = Enum.GetNames<AttributionMethod>().Select(n => n.ToLowerInvariant()).ToList();
        if (!rules.Contains(rule))
            throw new InputException($"{modelName}: gradient metadata '{GradientModelContract.RuleKey}' is '{rule}', not one of {string.Join(", ", rules)}");

        ModelCard? card = null;
        string? problem = null;
        if (metadata.TryGetValue(ModelCard.MetadataKey, out var json))
        {
            try { card = ModelCard.Parse(json, $"{modelName} (stored card)"); }
            catch (InputException e) { problem = e.Message; }
        }
        var scoreOutput = Required(GradientModelContract.ScoreOutputKey);
        return new GradientModelInfo
        {
            ModelName = modelName,
            Rule = Enum.Parse<AttributionMethod>(rule, ignoreCase: true),
            ImageInput = Required(GradientModelContract.ImageInputKey),
            ScoreOutput = scoreOutput,
            ScoreTensor = Required(GradientModelContract.ScoreTensorKey),
            CamTensor = metadata.GetValueOrDefault(GradientModelContract.CamTensorKey),
            BuilderVersion = metadata.GetValueOrDefault(GradientModelContract.BuilderVersionKey),
            SourceSha256 = metadata.GetValueOrDefault(GradientModelContract.SourceSha256Key),
            ScoreIsSoftmax = model.Graph.Node.FirstOrDefault(n => n.Output.Contains(scoreOutput))?.OpType == "Softmax",
            StoredCard = card,
            StoredCardProblem = problem,
        };
    }
}
