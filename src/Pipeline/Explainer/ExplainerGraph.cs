using Google.Protobuf;
using GradientGraphs.Building;
using GradientGraphs.Onnx;
using Onnx;
using OpenCvSharp;
using Pipeline.Cards;

namespace Pipeline.Explainer;

/// <summary>
/// A gradient model wrapped into one ONNX model that goes from an encoded image file to saliency
/// maps: decode (ONNX Runtime Extensions' DecodeImage, the only custom op besides the optional
/// EncodeImage), the card's rescale and crops, the forward pass, the top K classes by the score
/// averaged over the crops, the backward pass for those K classes, max over channels of |gradient|,
/// the crops' maps placed back (mirrors flipped back) and averaged where they overlap, and the map
/// resized to the image's own size. Every stage but decode and encode is standard ONNX (opset of
/// the gradient model, at least 17), and reproduces what `run` does with OpenCV (see docs/explainer.md).
/// </summary>
public static class ExplainerGraph
{
    public const string ContribDomain = "com.microsoft.extensions";
    public const string ImageBytesInput = "image_bytes";
    public const string ImagePixelsInput = "image_rgba";
    public const string TopKInput = "k";
    public const string ClassesOutput = "top_classes";
    public const string ScoresOutput = "top_scores";
    public const string ProbabilitiesOutput = "top_probabilities";
    public const string SaliencyOutput = "saliency";
    public const string OverlayOutput = "overlay_png";
    public const string CropsKey = "explainer.crops";
    public const string DecodedOrder = "BGR";

    /// <summary>The export options that cannot go together, refused before any work.</summary>
    public static void CheckOptions(int crops, bool overlay, ExplainerInput input)
    {
        if (crops is not (1 or 10)) throw new UsageException($"--crops {crops}: expected 10 or 1");
        // EncodeImage is a custom op: the pixels variant stays standard ONNX.
        if (overlay && input == ExplainerInput.Pixels) throw new UsageException("--overlay needs --input bytes (the PNG is encoded by ONNX Runtime Extensions' EncodeImage)");
    }

    public static ModelProto Build(ModelProto gradientModel, ModelCard card, int crops, bool overlay, ExplainerInput input = ExplainerInput.Bytes)
    {
        CheckOptions(crops, overlay, input);
        bool pixels = input == ExplainerInput.Pixels;
        var metadata = gradientModel.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        if (!metadata.TryGetValue(GradientModelContract.ImageInputKey, out var imageInput) || !metadata.TryGetValue(GradientModelContract.ScoreOutputKey, out var scoreOutput))
            throw new InputException("not a gradient model (no gradient metadata)");

        var model = gradientModel.Clone();
        var graph = model.Graph;
        int opset = (int)model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(17).Max();
        if (!pixels && model.OpsetImport.All(o => o.Domain != ContribDomain)) model.OpsetImport.Add(new OperatorSetIdProto { Domain = ContribDomain, Version = 1 });
        graph.Input.Clear();
        graph.Output.Clear();
        graph.ValueInfo.Clear();

        var b = new Builder(new GraphEmitter(graph, "explain/"), opset);
        var image = pixels ? b.FromRgba(ImagePixelsInput) : b.Image(ImageBytesInput);
        var (rh, rw) = b.RescaledSize(image, card, crops);
        var rescaled = b.Rescale(image, rh, rw);
        var (batch, places) = b.Crops(rescaled, rh, rw, card.InputSize, crops);
        var count = b.BatchSize(batch);
        b.Preprocess(batch, card, imageInput);
        bool scoreIsSoftmax = graph.Node.FirstOrDefault(n => n.Output.Contains(scoreOutput))?.OpType == "Softmax";
        var (topClasses, topScores, topProbabilities) = b.TopClasses(scoreOutput, card, TopKInput, count, scoreIsSoftmax);
        b.Identity(topClasses, ClassesOutput);
        b.Identity(topScores, ScoresOutput);
        b.Identity(topProbabilities, ProbabilitiesOutput);
        var classIndex = b.ClassIndex(topClasses, card, count);
        b.Identity(classIndex, GradientModelContract.ClassIndexInput);
        var saliency = b.Saliency(GradientModelContract.InputGradOutput, places, rh, rw, card.InputSize, crops, image);
        b.Identity(saliency, SaliencyOutput);
        if (overlay) b.Overlay(image, saliency, OverlayOutput);

        graph.Input.Add(pixels
            ? Tensor(ImagePixelsInput, TensorProto.Types.DataType.Uint8, "H", "W", 4)
            : Tensor(ImageBytesInput, TensorProto.Types.DataType.Uint8, "num_bytes"));
        graph.Input.Add(Tensor(TopKInput, TensorProto.Types.DataType.Int64, 1));
        graph.Output.Add(Tensor(ClassesOutput, TensorProto.Types.DataType.Int64, "K"));
        graph.Output.Add(Tensor(ScoresOutput, TensorProto.Types.DataType.Float, "K"));
        graph.Output.Add(Tensor(ProbabilitiesOutput, TensorProto.Types.DataType.Float, "K"));
        graph.Output.Add(Tensor(SaliencyOutput, TensorProto.Types.DataType.Float, "K", "H", "W"));
        if (overlay) graph.Output.Add(Tensor(OverlayOutput, TensorProto.Types.DataType.Uint8, "png_bytes"));
        GradientGraphs.Onnx.GraphPruning.KeepWhatOutputsNeed(graph); // the source's other outputs, e.g. a softmax
        SortTopologically(graph);

        var keep = model.MetadataProps.Where(p => p.Key != ModelCard.MetadataKey && p.Key != CropsKey).ToList();
        model.MetadataProps.Clear();
        model.MetadataProps.AddRange(keep);
        model.MetadataProps.Add(new StringStringEntryProto { Key = ModelCard.MetadataKey, Value = card.ToJson() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = CropsKey, Value = crops.ToString() });
        model.DocString = pixels
            ? "Pixels uint8 RGBA [H, W, 4] and k in; top-k classes, scores and saliency maps [k, H, W] out. Standard ONNX only; the host decodes the image and bounds its size."
            : "Image file bytes (JPEG or PNG) and k in; top-k classes, scores and saliency maps [k, H, W] out. Needs ONNX Runtime Extensions (DecodeImage).";
        return model;
    }

    /// <summary>DecodeImage alone: image file bytes to uint8 [H, W, 3] BGR (for comparing with the CLI's OpenCV decode).</summary>
    public static ModelProto BuildDecoder()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Pipeline", Graph = new GraphProto { Name = "decoder" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = ContribDomain, Version = 1 });
        var b = new Builder(new GraphEmitter(model.Graph, "decode/"), 17);
        b.Identity(b.Image(ImageBytesInput), "decoded");
        model.Graph.Input.Add(Tensor(ImageBytesInput, TensorProto.Types.DataType.Uint8, "num_bytes"));
        model.Graph.Output.Add(Tensor("decoded", TensorProto.Types.DataType.Uint8, "H", "W", 3));
        return model;
    }

    /// <summary>
    /// The explainer's first stages alone: image file bytes to the image rescaled as the card says,
    /// uint8 [h, w, 3] BGR (what `run` gets from OpenCV's imread and resize). For tests and for
    /// measuring in-graph decoding against the CLI's.
    /// </summary>
    public static ModelProto BuildRescaler(ModelCard card, int crops)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Pipeline", Graph = new GraphProto { Name = "rescaler" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = ContribDomain, Version = 1 });
        var b = new Builder(new GraphEmitter(model.Graph, "rescale/"), 17);
        var image = b.Image(ImageBytesInput);
        var (rh, rw) = b.RescaledSize(image, card, crops);
        b.Identity(b.ToHwcBytes(b.Rescale(image, rh, rw)), "rescaled");
        model.Graph.Input.Add(Tensor(ImageBytesInput, TensorProto.Types.DataType.Uint8, "num_bytes"));
        model.Graph.Output.Add(Tensor("rescaled", TensorProto.Types.DataType.Uint8, "h", "w", 3));
        return model;
    }

    private static ValueInfoProto Tensor(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    /// <summary>Nodes in an order where every input is made before it is used (the wrapper's nodes were appended last).</summary>
    private static void SortTopologically(GraphProto graph)
    {
        var available = graph.Initializer.Select(t => t.Name).Concat(graph.Input.Select(i => i.Name)).Append("").ToHashSet();
        var pending = graph.Node.ToList();
        var ordered = new List<NodeProto>(pending.Count);
        while (pending.Count > 0)
        {
            var ready = pending.Where(n => n.Input.All(available.Contains)).ToList();
            if (ready.Count == 0) throw new InvalidOperationException($"explainer graph has a cycle or a missing input at {pending[0].Name}");
            foreach (var n in ready) { ordered.Add(n); available.UnionWith(n.Output); }
            var readySet = ready.ToHashSet();
            pending = pending.Where(n => !readySet.Contains(n)).ToList();
        }
        graph.Node.Clear();
        graph.Node.AddRange(ordered);
    }

    /// <summary>The wrapper's stages, each a few standard ONNX ops.</summary>
    private sealed class Builder(GraphEmitter e, int opset)
    {
        private readonly Dictionary<string, string> _doubles = new();

        // ---- small helpers ---------------------------------------------------------------
        private string Ints(params long[] v) => e.Int64s(v);
        private string Int(long v) => ScalarConstant(Tensors.Int64Tensor(e.FreshName("int"), [], [v]));
        private string Float(float v) => e.FloatConstant([], [v], "float");
        private string Floats(long[] dims, float[] v) => e.FloatConstant(dims, v, "floats");
        private string Double(double v)
        {
            var key = v.ToString("R");
            if (_doubles.TryGetValue(key, out var name)) return name;
            var t = new TensorProto { Name = e.FreshName("double"), DataType = Tensors.Double };
            t.RawData = ByteString.CopyFrom(BitConverter.GetBytes(v));
            return _doubles[key] = ScalarConstant(t);
        }
        private string ScalarConstant(TensorProto t)
        {
            e.Graph.Initializer.Add(t);
            return t.Name;
        }
        private string Op(string op, params string[] inputs) => e.Op(op, inputs);
        private string Op(string op, string[] inputs, Action<NodeProto> attributes) => e.Op(op, inputs, attributes);
        private string Cast(string x, TensorProto.Types.DataType to) => Op("Cast", [x], n => n.Set("to", (long)to));
        private string ToDouble(string x) => Cast(x, TensorProto.Types.DataType.Double);
        private string ToInt64(string x) => Cast(x, TensorProto.Types.DataType.Int64);
        private string ToFloat(string x) => Cast(x, TensorProto.Types.DataType.Float);
        private string Where(string c, string a, string b) => Op("Where", c, a, b);
        private string Min(string a, string b) => Op("Min", a, b);
        private string Max(string a, string b) => Op("Max", a, b);
        private string Floor(string a) => Op("Floor", a);
        private string Less(string a, string b) => Op("Less", a, b);
        private string Slice(string x, long[] starts, long[] ends, long[] axes, long[]? steps = null) =>
            steps == null ? Op("Slice", x, Ints(starts), Ints(ends), Ints(axes)) : Op("Slice", x, Ints(starts), Ints(ends), Ints(axes), Ints(steps));
        private string Reduce(string op, string x, long[] axes, bool keepDims) => opset >= 18 || op == "ReduceSum"
            ? Op(op, [x, Ints(axes)], n => n.Set("keepdims", keepDims ? 1L : 0L))
            : Op(op, [x], n => { n.Set("axes", axes); n.Set("keepdims", keepDims ? 1L : 0L); });
        public string ToHwcBytes(string chw) => Cast(e.Transpose(chw, [1, 2, 0]), TensorProto.Types.DataType.Uint8);
        public void Identity(string from, string to) => e.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = e.FreshName("Identity"), Input = { from }, Output = { to } });

        // ---- stage 1: decode -------------------------------------------------------------
        /// <summary>DecodeImage: uint8 [H, W, 3], BGR (ONNX Runtime Extensions 0.14, domain com.microsoft.extensions; grey and alpha become colour).</summary>
        public string Image(string bytes) => e.Node("DecodeImage", [bytes], 1, n => n.Domain = ContribDomain)[0];

        /// <summary>The pixels variant's decode: RGBA [H, W, 4] to DecodeImage's BGR [H, W, 3] (alpha dropped, as DecodeImage drops it).</summary>
        public string FromRgba(string rgba) => Op("Gather", [rgba, Ints(2, 1, 0)], n => n.Set("axis", 2L));

        // ---- stage 2: rescale and crops --------------------------------------------------
        /// <summary>CropLayout.For: shorter side to S (long side clamped to [side, 3 side]) or squash; [1]-shaped int64 sizes.</summary>
        public (string H, string W) RescaledSize(string image, ModelCard card, int crops)
        {
            if (card.Resize == "squash")
            {
                long s = crops == 1 ? card.InputSize : card.ShorterSide;
                return (Ints(s), Ints(s));
            }
            var shape = Op("Shape", image);
            var h = ToDouble(Slice(shape, [0], [1], [0]));
            var w = ToDouble(Slice(shape, [1], [2], [0]));
            var factor = Op("Div", Double(card.ShorterSide), Min(h, w));
            long longest = Math.Max(card.ShorterSide, ModelCard.MaxCropSpan * card.InputSize);
            string Side(string length) => ToInt64(Min(Max(Op("Round", Op("Mul", length, factor)), Double(card.InputSize)), Double(longest)));
            return (Side(h), Side(w));
        }

        /// <summary>
        /// CropLayout.ToTensor's cv::resize on uint8 as [3, h, w] float: INTER_AREA when the width
        /// shrinks, else INTER_LINEAR (half-pixel centres, edge clamped), rounded to whole levels.
        /// INTER_AREA is reproduced exactly by its own weights (gathered taps): box-filter overlaps when
        /// both axes shrink, OpenCV's two-tap "area" interpolation when one grows.
        /// </summary>
        public string Rescale(string image, string rh, string rw)
        {
            var chw = e.Transpose(ToFloat(image), [2, 0, 1]);
            var shape = Op("Shape", image);
            var h = Slice(shape, [0], [1], [0]);
            var w = Slice(shape, [1], [2], [0]);
            var area = Less(rw, w);
            var shrinkBoth = Op("And", Op("Not", Less(w, rw)), Op("Not", Less(h, rh)));
            var areaBox = Op("And", area, shrinkBoth);
            var (ix, wx, tx) = Taps(w, rw, area, areaBox);
            var (iy, wy, ty) = Taps(h, rh, area, areaBox);
            // Horizontal pass: [3, H, w*Tx] -> [3, H, w, Tx] -> weighted sum -> [3, H, w].
            var gx = Op("Gather", [chw, ix], n => n.Set("axis", 2L));
            gx = e.Reshape(gx, e.Concat(0, Ints(0, 0), rw, tx));
            var x = Reduce("ReduceSum", e.Mul(gx, wx), [3], false);
            // Vertical pass: [3, h*Ty, w] -> [3, h, Ty, w] -> weighted sum -> [3, h, w].
            var gy = Op("Gather", [x, iy], n => n.Set("axis", 1L));
            gy = e.Reshape(gy, e.Concat(0, Ints(3), rh, ty, rw));
            var y = Reduce("ReduceSum", e.Mul(gy, e.Unsqueeze(wy, 2)), [2], false);
            return Op("Clip", Op("Round", y), Float(0), Float(255));
        }

        /// <summary>
        /// One axis of cv::resize from n to m samples, as m x T source indices (flattened) and weights [m, T]:
        /// INTER_LINEAR (area false), INTER_AREA's box (areaBox), or INTER_AREA's two-tap form (area, not areaBox).
        /// </summary>
        private (string Index, string Weight, string T) Taps(string n, string m, string area, string areaBox)
        {
            var nd = ToDouble(n);
            var md = ToDouble(m);
            var s = Op("Div", nd, md);
            var inv = Op("Div", md, nd);
            var last = Op("Sub", nd, Double(1));
            var mScalar = e.Reshape(md, []);
            var i = e.Unsqueeze(Op("Range", Double(0), mScalar, Double(1)), 1); // [m, 1]
            var tCount = Max(Op("Add", Op("Ceil", s), Double(1)), Double(2)); // [1]
            var t = e.Unsqueeze(Op("Range", Double(0), e.Reshape(tCount, []), Double(1)), 0); // [1, T]

            // Box: output i covers [i s, (i+1) s); source j weighs |[j, j+1) ∩ that| / s.
            var start = e.Mul(i, s);
            var end = e.Mul(Op("Add", i, Double(1)), s);
            var jBox = Op("Add", Floor(start), t);
            var wBox = e.Div(e.Relu(e.Sub(Min(Op("Add", jBox, Double(1)), end), Max(jBox, start))), s);

            // Linear: f = (i + 0.5) s - 0.5, taps floor(f) and floor(f) + 1, clamped at both edges.
            var f = e.Sub(e.Mul(Op("Add", i, Double(0.5)), s), Double(0.5));
            var fl = Floor(f);
            var linearEdge = Op("Or", Less(f, Double(0)), Op("Not", Less(fl, last)));
            var j0Linear = Min(Max(fl, Double(0)), last);
            var aLinear = Where(linearEdge, Double(0), e.Sub(f, fl));

            // INTER_AREA while enlarging an axis: sx = floor(i s), fx = frac((i + 1) - (sx + 1) / s) if positive.
            var sx = Floor(start);
            var fx = e.Sub(Op("Add", i, Double(1)), e.Mul(Op("Add", sx, Double(1)), inv));
            fx = Where(Less(Double(0), fx), e.Sub(fx, Floor(fx)), Double(0));
            var areaEdge = Op("Not", Less(sx, last));
            var j0Area = Min(sx, last);
            var aArea = Where(areaEdge, Double(0), fx);

            var j0 = Where(area, j0Area, j0Linear);
            var a = Where(area, aArea, aLinear);
            var jTwo = Op("Add", j0, t);
            var wTwo = Where(Op("Equal", t, Double(0)), e.Sub(Double(1), a), Where(Op("Equal", t, Double(1)), a, Double(0)));

            var j = Where(areaBox, jBox, jTwo);
            var weight = ToFloat(Where(areaBox, wBox, wTwo));
            var index = e.Reshape(ToInt64(Min(Max(j, Double(0)), last)), -1);
            return (index, weight, ToInt64(tCount));
        }

        /// <summary>
        /// A crop's place in the rescaled image ([1]-shaped y and x), its row among the plain crops (a
        /// scalar), and for an edge midpoint whether it is used (bool [1]; null: always).
        /// </summary>
        public sealed record Place(string Y, string X, string Row, string? Used);

        /// <summary>
        /// CropLayout.For's crops, [crops, 3, side, side]: the plain ones, then their mirrors. With 10
        /// crops, all 9 places (corners, centre, edge midpoints) are cut and the used ones gathered, so
        /// the batch has 10, 14 or 18 crops as the image's sides ask.
        /// </summary>
        public (string Batch, Place[] Places) Crops(string rescaled, string rh, string rw, int side, int crops)
        {
            var right = e.Sub(rw, Ints(side));
            var bottom = e.Sub(rh, Ints(side));
            var (halfRight, halfBottom) = (e.Div(right, Ints(2)), e.Div(bottom, Ints(2)));
            var zero = Ints(0);
            string Cut((string Y, string X) o)
            {
                var starts = e.Concat(0, o.Y, o.X);
                return e.Unsqueeze(Op("Slice", rescaled, starts, e.Add(starts, Ints(side, side)), Ints(1, 2)), 0);
            }
            if (crops == 1) return (Cut((halfBottom, halfRight)), [new Place(halfBottom, halfRight, Int(0), null)]);

            // CropLayout.EdgeMidpoints, less any that falls on the centre.
            var wide = Op("And", Less(Ints(side), right), Less(zero, bottom));
            var tall = Op("And", Less(Ints(side), bottom), Less(zero, right));
            (string Y, string X, string? Used)[] origins =
            [
                (zero, zero, null), (zero, right, null), (bottom, zero, null), (bottom, right, null), (halfBottom, halfRight, null),
                (zero, halfRight, Op("And", wide, Less(zero, halfBottom))), (bottom, halfRight, wide),
                (halfBottom, zero, Op("And", tall, Less(zero, halfRight))), (halfBottom, right, tall),
            ];
            var used = e.Concat(0, origins.Select(o => o.Used == null ? Ints(1) : ToInt64(o.Used)).ToArray());
            var rows = e.Sub(Op("CumSum", used, Int(0)), Ints(1));
            var plain = Op("Gather", [e.Concat(0, origins.Select(o => Cut((o.Y, o.X))).ToArray()), e.Reshape(Op("NonZero", used), -1)], n => n.Set("axis", 0L));
            var batch = e.Concat(0, plain, Slice(plain, [-1], [long.MinValue], [3], [-1]));
            var places = origins.Select((o, i) => new Place(o.Y, o.X, e.Reshape(Slice(rows, [i], [i + 1], [0]), []), o.Used)).ToArray();
            return (batch, places);
        }

        /// <summary>The batch's crop count, int64 [1].</summary>
        public string BatchSize(string batch) => Slice(Op("Shape", batch), [0], [1], [0]);

        /// <summary>Preprocessing.ToTensor: the card's channel order and x = (pixel * scale - mean) / std; feeds the model's image input.</summary>
        public void Preprocess(string batch, ModelCard card, string imageInput)
        {
            if (card.ChannelOrder != DecodedOrder) batch = Op("Gather", [batch, Ints(2, 1, 0)], n => n.Set("axis", 1L));
            var x = e.Div(e.Sub(e.Mul(batch, Float(card.Scale)), Floats([1, 3, 1, 1], card.Mean)), Floats([1, 3, 1, 1], card.Std));
            Identity(x, imageInput);
        }

        /// <summary>
        /// ClassRanking: scores averaged over the crops, the card's classes only, the top min(k, classes) by TopK;
        /// their probabilities as ClassProbabilities.FromScores gives them for the crop average (softmax of the whole average, or the average of a softmax output).
        /// </summary>
        public (string Classes, string Scores, string Probabilities) TopClasses(string scoreOutput, ModelCard card, string kInput, string count, bool scoreIsSoftmax)
        {
            var perCrop = e.Reshape(scoreOutput, e.Concat(0, count, Ints(-1)));
            var average = e.Div(Reduce("ReduceSum", perCrop, [0], false), ToFloat(count));
            var classes = Slice(average, [card.ClassOffset], [card.ClassOffset + card.Classes.Count], [0]);
            var k = Min(Max(e.Reshape(kInput, 1), Ints(1)), Ints(card.Classes.Count));
            var top = e.Node("TopK", [classes, k], 2, n => { n.Set("axis", -1L); n.Set("largest", 1L); n.Set("sorted", 1L); });
            var probabilities = scoreIsSoftmax ? average : Op("Softmax", [average], n => n.Set("axis", -1L));
            var topProbabilities = Op("Gather", [probabilities, e.Add(top[1], Ints(card.ClassOffset))], n => n.Set("axis", 0L));
            return (top[1], top[0], topProbabilities);
        }

        /// <summary>class_index [crops, K]: the same K score indices for every crop.</summary>
        public string ClassIndex(string topClasses, ModelCard card, string count) =>
            Op("Tile", e.Unsqueeze(e.Add(topClasses, Ints(card.ClassOffset)), 0), e.Concat(0, count, Ints(1)));

        /// <summary>
        /// SaliencyMaps and CropLayout.Average: max over channels of |input_grad|, the mirrors flipped
        /// back and added to their crops, each crop padded to its place in the rescaled image, divided by
        /// the number of crops covering each pixel (an unused place counts 0), resized (bilinear, half-pixel)
        /// to the decoded size: [K, H, W].
        /// </summary>
        public string Saliency(string inputGrad, Place[] places, string rh, string rw, int side, int crops, string image)
        {
            var maps = Reduce("ReduceMax", Op("Abs", inputGrad), [2], false); // [crops, K, s, s]
            if (crops == 10)
            {
                // [2, crops / 2, K, s, s]: the plain maps, and the mirrors' flipped back.
                var halves = e.Reshape(maps, e.Concat(0, Ints(2, -1), Slice(Op("Shape", maps), [1], [4], [0])));
                var mirrors = Op("Gather", [halves, Int(1)], n => n.Set("axis", 0L));
                maps = e.Add(Op("Gather", [halves, Int(0)], n => n.Set("axis", 0L)), Slice(mirrors, [-1], [long.MinValue], [3], [-1]));
            }
            var ones = Floats([1, side, side], Enumerable.Repeat(crops == 10 ? 2f : 1f, side * side).ToArray());
            var sums = new List<string>();
            var counts = new List<string>();
            foreach (var place in places)
            {
                var (y, x) = (place.Y, place.X);
                var pads = e.Concat(0, Ints(0), y, x, Ints(0), e.Sub(e.Sub(rh, y), Ints(side)), e.Sub(e.Sub(rw, x), Ints(side)));
                var crop = Op("Gather", [maps, place.Row], n => n.Set("axis", 0L)); // [K, s, s]
                var cover = ones;
                if (place.Used != null)
                {
                    var weight = ToFloat(place.Used);
                    crop = e.Mul(crop, weight);
                    cover = e.Mul(ones, weight);
                }
                sums.Add(Op("Pad", crop, pads));
                counts.Add(Op("Pad", cover, pads));
            }
            var sum = sums.Count == 1 ? sums[0] : Op("Sum", [.. sums]);
            var count = counts.Count == 1 ? counts[0] : Op("Sum", [.. counts]);
            var average = e.Div(sum, Max(count, Float(1)));
            var shape = Op("Shape", image);
            var k = Slice(Op("Shape", average), [0], [1], [0]);
            // Reshape to [4]: shape inference cannot count a Concat of a custom op's shape.
            var sizes = e.Reshape(e.Concat(0, Ints(1), k, Slice(shape, [0], [2], [0])), 4);
            var resized = Op("Resize", [e.Unsqueeze(average, 0), "", "", sizes], n =>
            {
                n.Set("mode", "linear");
                n.Set("coordinate_transformation_mode", "half_pixel");
            });
            return e.Reshape(resized, e.Concat(0, k, Slice(shape, [0], [2], [0])));
        }

        /// <summary>
        /// MapImages.Overlay for the top class, without the box: the map scaled so its 99th percentile is
        /// 255, OpenCV's JET colour map (its table, taken from OpenCV at export), blended 50/50 with the
        /// image, encoded as PNG by EncodeImage.
        /// </summary>
        public void Overlay(string image, string saliency, string output)
        {
            var map = e.Reshape(Slice(saliency, [0], [1], [0]), -1); // top-1, flattened
            var n = ToDouble(Op("Shape", map));
            var rank = Op("Round", e.Mul(Double(0.99), e.Sub(n, Double(1))));
            var fromTop = ToInt64(e.Sub(n, rank));
            var top = e.Node("TopK", [map, fromTop], 2, node => node.Set("axis", -1L))[0];
            var white = Slice(top, [-1], [long.MaxValue], [0]);
            var peak = Slice(top, [0], [1], [0]);
            white = Where(Less(Float(0), white), white, Max(peak, Float(1e-30f)));
            var grey = Op("Round", Min(e.Mul(e.Div(map, white), Float(255)), Float(255)));
            var heat = Op("Gather", [JetTable(), ToInt64(grey)], node => node.Set("axis", 0L)); // [H*W, 3] BGR
            var pixels = e.Reshape(ToFloat(image), Ints(-1, 3)); // BGR, as decoded
            var blended = Op("Round", e.Add(e.Mul(pixels, Float(0.5f)), e.Mul(heat, Float(0.5f))));
            var shaped = Cast(e.Reshape(blended, Op("Shape", image)), TensorProto.Types.DataType.Uint8);
            var png = e.Node("EncodeImage", [shaped], 1, node => { node.Domain = ContribDomain; node.Set("format", "png"); })[0];
            Identity(png, output);
        }

        private string JetTable()
        {
            using var ramp = new Mat(256, 1, MatType.CV_8UC1);
            for (int i = 0; i < 256; i++) ramp.Set(i, 0, (byte)i);
            using var jet = new Mat();
            Cv2.ApplyColorMap(ramp, jet, ColormapTypes.Jet);
            var table = new float[256 * 3];
            for (int i = 0; i < 256; i++)
            {
                var p = jet.At<Vec3b>(i, 0);
                (table[3 * i], table[3 * i + 1], table[3 * i + 2]) = (p.Item0, p.Item1, p.Item2);
            }
            return Floats([256, 3], table);
        }
    }
}
