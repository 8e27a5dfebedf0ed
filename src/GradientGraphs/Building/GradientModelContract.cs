namespace GradientGraphs.Building;

/// <summary>Names the gradient model adds to its source model (see README, "The gradient-model contract").</summary>
public static class GradientModelContract
{
    /// <summary>int64 [N, K]: the classes whose score gradients are wanted, K per image.</summary>
    public const string ClassIndexInput = "class_index";

    /// <summary>float [N, K, C, H, W]: d score[n, class_index[n, k]] / d image[n].</summary>
    public const string InputGradOutput = "input_grad";

    /// <summary>float [N, K, h, w], only with --cam: the Grad-CAM map of the last spatial feature layer (<see cref="ClassActivationMap"/>).</summary>
    public const string ClassActivationOutput = "class_activation";

    /// <summary>float [N, K, h, w], only with --cam: the Grad-CAM++ map of the same layer (<see cref="ClassActivationMap.EmitPlusPlus"/>).</summary>
    public const string ClassActivationPlusPlusOutput = "class_activation_plus_plus";

    public const string BatchDim = "N";
    public const string ClassesDim = "K";

    // metadata_props keys.
    /// <summary>The <see cref="AttributionMethod"/>, lower case (the key keeps the CLI's word, --rule).</summary>
    public const string RuleKey = "gradient.rule";
    public const string SourceSha256Key = "gradient.source_sha256";
    public const string BuilderVersionKey = "gradient.builder_version";
    public const string ScoreOutputKey = "gradient.score_output";
    public const string ScoreTensorKey = "gradient.score_tensor";
    public const string ImageInputKey = "gradient.image_input";
    /// <summary>The feature tensor of the class_activation output, when the model has one.</summary>
    public const string CamTensorKey = "gradient.cam_tensor";

    public static string BuilderVersion =>
        typeof(GradientModelContract).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
