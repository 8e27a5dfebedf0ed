using System.Security.Cryptography;
using GradientGraphs.Onnx;
using GradientGraphs.Rules;
using Onnx;

namespace GradientGraphs.Building;

public sealed record BuildOptions
{
    /// <summary>Gradient, deconvnet or guided backpropagation (the CLI's --rule).</summary>
    public AttributionMethod Method { get; init; } = AttributionMethod.Gradient;

    /// <summary>The output whose flattened elements are the class scores; null: the model's only output.</summary>
    public string? ScoreOutput { get; init; }

    /// <summary>Also output the Grad-CAM map of the last spatial feature layer (the CLI's --cam).</summary>
    public bool ClassActivation { get; init; }

    /// <summary>With <see cref="ClassActivation"/>: the feature layer by its tensor's name instead of the last spatial one (the CLI's --cam-layer).</summary>
    public string? ClassActivationLayer { get; init; }
}

/// <summary>
/// ONNX model in, gradient model out: the source graph unchanged (batch made symbolic), plus the
/// reverse-mode gradient of the chosen score with respect to the image, for K classes at once.
/// The walk: find the path from the image to the score, visit its nodes in reverse order, ask each
/// node's rule for its input gradients, and add up the gradients of tensors used more than once.
/// </summary>
public static class GradientGraphBuilder
{
    public static ModelProto Build(byte[] sourceBytes, BuildOptions options)
    {
        var model = ModelProto.Parser.ParseFrom(sourceBytes);
        var graph = model.Graph;
        var e = new GraphEmitter(graph, "grad/");

        var (scoreOutput, scoreTensor) = ScoreTensor(graph, options.ScoreOutput);
        var (image, facts, shapeFailures, legacySoftmax) = Prepare(model, e);
        OpsetUpgrade.CheckLegacySoftmax(legacySoftmax, facts);
        var path = GradientPath.Find(graph, image.Name, scoreTensor);
        Refuse(path, facts, shapeFailures);

        var feature = options.ClassActivation
            ? ClassActivationMap.FeatureTensor(path, facts, image.Name, options.ClassActivationLayer)
              ?? throw new GraphException("--cam: no tensor on the path to the score has the shape [N, C, h, w] with more than one position")
            : options.ClassActivationLayer != null ? throw new LayerChoiceException("--cam-layer goes with --cam") : null;
        var (inputGrad, cam) = EmitBackward(graph, path, image, scoreTensor, facts, e, options.Method, feature);
        AddOutputs(graph, image, inputGrad);
        if (cam != null) AddCamOutput(graph, cam, facts.Shape(feature!));
        AddMetadata(model, options, sourceBytes, image, scoreOutput, scoreTensor, feature);
        return model;
    }

    /// <summary>
    /// The source model as <see cref="Build"/> prepares it (opset upgraded, batch symbolic, nodes
    /// normalised) and what it inferred about it (static shapes, folded shape values), without the
    /// backward: for checking the inferred shapes against a runtime's.
    /// </summary>
    public static (ModelProto Model, ForwardFacts Facts) Forward(byte[] sourceBytes)
    {
        var model = ModelProto.Parser.ParseFrom(sourceBytes);
        var (_, facts, _, _) = Prepare(model, new GraphEmitter(model.Graph, "grad/"));
        return (model, facts);
    }

    /// <summary>Steps 1 to 4: the image, the upgrade, the symbolic batch, the shapes (and why some could not be inferred).</summary>
    private static (ValueInfoProto Image, ForwardFacts Facts, Dictionary<NodeProto, string> ShapeFailures, IReadOnlyList<NodeProto> LegacySoftmax) Prepare(ModelProto model, GraphEmitter e)
    {
        var image = ImageInput(model.Graph);
        var legacySoftmax = OpsetUpgrade.Apply(model, e);
        long? sourceBatch = MakeBatchSymbolic(model.Graph, image);
        var facts = new ForwardFacts { SourceBatch = sourceBatch, Image = image.Name };
        return (image, facts, InferShapes(model.Graph, image, facts, e), legacySoftmax);
    }

    /// <summary>The one graph input that is not an initializer: the image.</summary>
    private static ValueInfoProto ImageInput(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        for (int i = graph.Input.Count - 1; i >= 0; i--)
            if (initializers.Contains(graph.Input[i].Name)) graph.Input.RemoveAt(i);
        if (graph.Input.Count != 1)
            throw new GraphException($"the model has {graph.Input.Count} inputs ({string.Join(", ", graph.Input.Select(i => i.Name))}); one image input is supported");
        var input = graph.Input[0];
        if (input.Type?.TensorType is not { } t || t.ElemType != Tensors.Float)
            throw new GraphException($"input '{input.Name}' is not a float tensor");
        if (input.Name is GradientModelContract.ClassIndexInput)
            throw new GraphException($"input '{input.Name}' has the name the gradient model reserves for its class input");
        return input;
    }

    /// <summary>
    /// The tensor whose flattened elements are the scores: the chosen output, or the input of the
    /// Softmax/LogSoftmax that ends the graph: the unnormalised class score (Simonyan, Vedaldi &amp;
    /// Zisserman 2014, "Deep Inside Convolutional Networks", Sect. 2).
    /// </summary>
    private static (string Output, string Tensor) ScoreTensor(GraphProto graph, string? requested)
    {
        var outputs = graph.Output.Select(o => o.Name).ToList();
        string output = requested ?? (outputs.Count == 1 ? outputs[0]
            : throw new GraphException($"the model has {outputs.Count} outputs ({string.Join(", ", outputs)}); choose the score with --output"));
        if (!outputs.Contains(output))
            throw new GraphException($"the model has no output '{output}' (outputs: {string.Join(", ", outputs)})");
        var tensor = output;
        while (graph.Node.FirstOrDefault(n => n.Output.Contains(tensor)) is { } producer &&
               producer.OpType is "Softmax" or "LogSoftmax" or "Identity")
            tensor = producer.Input[0];
        return (output, tensor);
    }

    /// <summary>Gives the image input (and every output that had it) a symbolic batch dimension N.</summary>
    private static long? MakeBatchSymbolic(GraphProto graph, ValueInfoProto image)
    {
        var dims = image.Type.TensorType.Shape?.Dim ?? throw new GraphException($"input '{image.Name}' has no shape");
        long? fixedBatch = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dims[0].DimValue : null;
        if (dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue))
            throw new GraphException($"input '{image.Name}' must have fixed sizes apart from the batch (it is {image.Type.TensorType.Shape})");
        dims[0] = new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.BatchDim };
        // Shapes recorded for intermediate tensors name the old batch; the runtime infers them again.
        graph.ValueInfo.Clear();
        foreach (var output in graph.Output)
            if (output.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.BatchDim };
        return fixedBatch;
    }

    /// <summary>Static shapes of every tensor the rules know; returns why a node's shapes could not be inferred.</summary>
    private static Dictionary<NodeProto, string> InferShapes(GraphProto graph, ValueInfoProto image, ForwardFacts facts, GraphEmitter e)
    {
        facts.SetShape(image.Name, [Shapes.Batch, .. image.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)]);
        foreach (var init in graph.Initializer) facts.SetConstant(init.Name, init);
        var failures = new Dictionary<NodeProto, string>();
        foreach (var node in graph.Node.ToList())
        {
            if (node.OpType == "Constant" && node.Find("value")?.T is { } value)
            {
                facts.SetConstant(node.Output[0], value);
                continue;
            }
            if (ShapeArithmetic.TryFold(node, facts)) continue;
            if (RuleTable.Find(node.OpType) is not { } rule) continue;
            if (node.Input.Where(i => i != "").FirstOrDefault(i => !facts.HasShape(i)) is { } unknown)
            {
                failures[node] = $"the shape of its input '{unknown}' is not known";
                continue;
            }
            try
            {
                rule.Normalize(node, facts, e);
                if (BatchAxis.Refusal(rule, node, facts) is { } batchWork)
                {
                    failures[node] = batchWork;
                    continue;
                }
                var shapes = rule.InferShapes(node, facts);
                for (int i = 0; i < node.Output.Count && i < shapes.Length; i++) facts.SetShape(node.Output[i], shapes[i]);
            }
            catch (GraphException ex) { failures[node] = ex.Message; }
        }
        return failures;
    }

    private static void Refuse(GradientPath path, ForwardFacts facts, Dictionary<NodeProto, string> shapeFailures)
    {
        var problems = new List<(string, string, string)>();
        // Outputs of refused nodes: a node that fails only because such an input has no shape is
        // a consequence, not a cause, and is left out of the message.
        var refusedOutputs = new HashSet<string>();
        foreach (var node in path.Nodes)
        {
            var rule = RuleTable.Find(node.OpType);
            if (rule != null && node.Input.Any(refusedOutputs.Contains) && node.Input.Where(i => i != "").Any(i => !facts.HasShape(i)))
            {
                refusedOutputs.UnionWith(node.Output);
                continue;
            }
            string? reason = node.Domain is not ("" or "ai.onnx") ? $"op of domain '{node.Domain}'"
                : rule == null ? "no gradient rule"
                : shapeFailures.TryGetValue(node, out var failure) ? failure
                : rule.Refusal(node, facts) ?? Undifferentiated(node, rule, path);
            if (reason == null) continue;
            problems.Add((node.OpType, node.Label(), reason));
            refusedOutputs.UnionWith(node.Output);
        }
        if (problems.Count > 0) throw new UnsupportedOpsException(problems);
    }

    /// <summary>Names an input on the path that the rule does not differentiate, or null.</summary>
    private static string? Undifferentiated(NodeProto node, OpRule rule, GradientPath path)
    {
        for (int i = 0; i < node.Input.Count; i++)
            if (path.Reaches(node.Input[i]) && !rule.Differentiable.Contains(i))
                return $"its input {i} ('{node.Input[i]}') depends on the image, and the rule differentiates {rule.Differentiable} only";
        return null;
    }

    /// <summary>The image's gradient [N, K, C, H, W], and the Grad-CAM and Grad-CAM++ maps [N, K, h, w] of the feature tensor when one is given.</summary>
    private static (string InputGrad, CamTensors? Cam) EmitBackward(GraphProto graph, GradientPath path, ValueInfoProto image, string scoreTensor,
        ForwardFacts facts, GraphEmitter e, AttributionMethod method, string? feature)
    {
        var imageShape = facts.Shape(image.Name);
        var scoreShape = facts.Shape(scoreTensor);
        if (!Shapes.HasBatch(scoreShape))
            throw new GraphException($"the score tensor '{scoreTensor}' has no batch dimension in front ({Shapes.Show(scoreShape)})");

        var classIndex = GradientModelContract.ClassIndexInput;
        var classesPerImage = e.Op("Shape", [classIndex], n => { n.Set("start", 1L); n.Set("end", 2L); });
        long scoreCount = Shapes.Product(scoreShape[1..]);
        var oneHot = e.Op("OneHot", [classIndex, e.Int64s(scoreCount), e.FloatConstant([2], [0f, 1f], "one_hot_values")], n => n.Set("axis", -1L));
        var seed = e.Reshape(oneHot, [-1, .. scoreShape[1..]]);
        var foldedBatch = e.Op("Shape", [seed], n => { n.Set("start", 0L); n.Set("end", 1L); });
        var ctx = new BackwardContext(e, facts, method, classesPerImage, foldedBatch);

        var contributions = new Dictionary<string, List<string>> { [scoreTensor] = [seed] };
        string? Total(string tensor)
        {
            if (!contributions.TryGetValue(tensor, out var parts)) return null;
            if (parts.Count > 1) contributions[tensor] = parts = [e.Op("Sum", parts.ToArray())];
            return parts[0];
        }

        foreach (var node in path.Nodes.AsEnumerable().Reverse())
        {
            var outputGrads = node.Output.Select(o => (string?)Total(o)).ToArray();
            if (outputGrads.All(g => g == null)) continue;
            var needed = node.Input.Select(path.Reaches).ToArray();
            var inputGrads = RuleTable.Find(node.OpType)!.Backward(node, outputGrads, needed, ctx);
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (!needed[i]) continue;
                var g = inputGrads.ElementAtOrDefault(i)
                    ?? throw new GraphException($"the rule for {node.OpType} gave no gradient for input {i} of '{node.Label()}'");
                if (!contributions.TryGetValue(node.Input[i], out var list)) contributions[node.Input[i]] = list = [];
                list.Add(g);
            }
        }
        var dImage = Total(image.Name) ?? throw new GraphException($"the score '{scoreTensor}' does not depend on the image");
        var cam = feature == null ? null : new CamTensors(ClassActivationMap.Emit(e, feature, Total(feature)!, facts.Shape(feature), classesPerImage),
            ClassActivationMap.EmitPlusPlus(e, feature, Total(feature)!, facts.Shape(feature), classesPerImage));
        return (e.Reshape(dImage, e.Concat(0, e.Int64s(-1), classesPerImage, e.Int64s(imageShape[1..]))), cam);
    }

    private static void AddOutputs(GraphProto graph, ValueInfoProto image, string inputGrad)
    {
        var classIndex = new ValueInfoProto
        {
            Name = GradientModelContract.ClassIndexInput,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Int64, Shape = new TensorShapeProto() } },
        };
        classIndex.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.BatchDim });
        classIndex.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.ClassesDim });
        graph.Input.Add(classIndex);
        AddPerClassOutput(graph, inputGrad, GradientModelContract.InputGradOutput, image.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.Clone()));
    }

    /// <summary>The Grad-CAM and Grad-CAM++ maps of the feature layer, [N, K, h, w] each.</summary>
    private sealed record CamTensors(string GradCam, string GradCamPlusPlus);

    private static void AddCamOutput(GraphProto graph, CamTensors cam, long[] featureShape)
    {
        AddPerClassOutput(graph, cam.GradCam, GradientModelContract.ClassActivationOutput,
            featureShape[2..].Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        AddPerClassOutput(graph, cam.GradCamPlusPlus, GradientModelContract.ClassActivationPlusPlusOutput,
            featureShape[2..].Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
    }

    /// <summary>A float graph output [N, K, ...] named <paramref name="name"/>, the value of <paramref name="tensor"/>.</summary>
    private static void AddPerClassOutput(GraphProto graph, string tensor, string name, IEnumerable<TensorShapeProto.Types.Dimension> perClassDims)
    {
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "grad/" + name, Input = { tensor }, Output = { name } });
        var output = new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.Float, Shape = new TensorShapeProto() } },
        };
        var dims = output.Type.TensorType.Shape.Dim;
        dims.Add(new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.BatchDim });
        dims.Add(new TensorShapeProto.Types.Dimension { DimParam = GradientModelContract.ClassesDim });
        dims.AddRange(perClassDims);
        graph.Output.Add(output);
    }

    private static void AddMetadata(ModelProto model, BuildOptions options, byte[] sourceBytes, ValueInfoProto image, string scoreOutput, string scoreTensor, string? feature)
    {
        void Set(string key, string value)
        {
            var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
            if (existing != null) existing.Value = value;
            else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        Set(GradientModelContract.RuleKey, options.Method.ToString().ToLowerInvariant());
        Set(GradientModelContract.SourceSha256Key, Convert.ToHexStringLower(SHA256.HashData(sourceBytes)));
        Set(GradientModelContract.BuilderVersionKey, GradientModelContract.BuilderVersion);
        Set(GradientModelContract.ImageInputKey, image.Name);
        Set(GradientModelContract.ScoreOutputKey, scoreOutput);
        Set(GradientModelContract.ScoreTensorKey, scoreTensor);
        if (feature != null) Set(GradientModelContract.CamTensorKey, feature);
    }
}
