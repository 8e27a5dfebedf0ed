using System.Text.Json.Nodes;
using Google.Protobuf;
using Pipeline.Cards;

namespace Pipeline.Tests;

/// <summary>
/// A card decides every pixel value and class name of a run, so a wrong one is refused: a --card
/// unlike the one stored in the gradient model (unless --card-override), and a card whose fields are
/// missing, mistyped or out of range, from a file or from the model. Cards are made by the tests.
/// </summary>
public class CardContractTests(TinyDarknetFixture tiny) : IClassFixture<TinyDarknetFixture>, IDisposable
{
    private static readonly string MobileNetCard = Path.Combine(CommandLine.Repository(), "models", "onnx", "mobilenet_v2.card.json");
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-card-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Images()
    {
        var folder = Path.Combine(_dir, "images");
        Directory.CreateDirectory(folder);
        File.Copy(CommandLine.Shared("data", "photos", "cat.bmp"), Path.Combine(folder, "cat.bmp"), overwrite: true);
        return folder;
    }

    private (int Code, string Stderr, string Out) Run(string model, params string[] extra)
    {
        var output = Path.Combine(_dir, "out-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _, stderr) = CommandLine.Run(["run", "--model", model, "--images", Images(), "--out", output, "--crops", "1", "--top", "2", "--device", "cpu", "--quiet", .. extra]);
        return (code, stderr, output);
    }

    private static void OneLine(string stderr) => Assert.True(stderr.Trim().Split('\n').Length == 1 && !stderr.Contains("   at "), $"not one line: {stderr}");

    private static string Rows(string output) => File.ReadAllText(Path.Combine(output, "loc.csv"));

    [Fact]
    public void Another_models_card_is_refused_naming_both_cards()
    {
        var run = Run(tiny.Model, "--card", MobileNetCard);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains($"--card {MobileNetCard} ('MobileNetV2 1.0 224 (TF-slim)') differs from the card stored in {tiny.Model} ('Tiny Darknet')", run.Stderr);
        // The two cards differ in exactly these fields (models/onnx): the line says which.
        Assert.Contains("in name, resize, scale, mean;", run.Stderr);
        Assert.Contains("--card-override", run.Stderr);
        Assert.False(File.Exists(Path.Combine(run.Out, "loc.csv")));
    }

    [Theory]
    [InlineData("visualise")]
    [InlineData("export-explainer")]
    public void Every_command_on_a_gradient_model_refuses_another_models_card(string command)
    {
        string[] args = command == "visualise"
            ? ["visualise", "--model", tiny.Model, "--class", "n01440764", "--out", Path.Combine(_dir, "vis"), "--steps", "1", "--device", "cpu", "--card", MobileNetCard]
            : ["export-explainer", "--model", tiny.Model, "--out", Path.Combine(_dir, "explainer.onnx"), "--crops", "1", "--card", MobileNetCard];
        var (code, _, stderr) = CommandLine.Run(args);
        Assert.Equal(1, code);
        OneLine(stderr);
        Assert.Contains($"('MobileNetV2 1.0 224 (TF-slim)') differs from the card stored in {tiny.Model} ('Tiny Darknet')", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "explainer.onnx")));
    }

    [Fact]
    public void The_override_runs_with_the_given_card_and_says_so()
    {
        var overridden = Run(tiny.Model, "--card", MobileNetCard, "--card-override");
        Assert.True(overridden.Code == 0, overridden.Stderr);
        Assert.Contains($"notice: --card-override: using {MobileNetCard} ('MobileNetV2 1.0 224 (TF-slim)') in place of the card stored in {tiny.Model} ('Tiny Darknet')", overridden.Stderr);

        // Independent truth: the same model exported with the MobileNetV2 card stored gives the same rows.
        var withMobileNetCard = Path.Combine(_dir, "tiny_mnv2_card.onnx");
        var export = CommandLine.Run("export-grad", "--model", CommandLine.Shared("models", "tiny_darknet.onnx"), "--out", withMobileNetCard, "--card", MobileNetCard);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var stored = Run(withMobileNetCard);
        Assert.True(stored.Code == 0, stored.Stderr);
        Assert.Equal(Rows(stored.Out), Rows(overridden.Out));
        // And the model's own card gives other rows: the override did change the run.
        var own = Run(tiny.Model);
        Assert.True(own.Code == 0, own.Stderr);
        Assert.NotEqual(Rows(own.Out), Rows(overridden.Out));
    }

    [Fact]
    public void The_card_the_model_stores_passes_as_card_without_a_word()
    {
        var run = Run(tiny.Model, "--card", TinyDarknetFixture.Card);
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.Equal(2, Rows(run.Out).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void The_override_without_a_card_is_a_usage_error()
    {
        var run = Run(tiny.Model, "--card-override");
        Assert.Equal(2, run.Code);
        OneLine(run.Stderr);
        Assert.Contains("--card-override: name the card to use with --card", run.Stderr);
    }

    public static TheoryData<string, string> BrokenCards => new()
    {
        // an edit of the Tiny Darknet card (field=JSON value, or -field to remove it), what the line must say
        { "std=[-1, 1, 1]", "card field 'std[0]' is -1: it must be above 0" },
        { "std=[1, 0, 1]", "card field 'std[1]' is 0: it must be above 0" },
        { "std=[1, 1]", "card field 'std' must be a list of 3 numbers" },
        { "std=[1, \"1\", 1]", "card field 'std[1]' must be a number, not the text '1'" },
        { "mean=[1e39, 0, 0]", "card field 'mean[0]' is 1e39, not a finite number" },
        { "mean=[0, null, 0]", "card field 'mean[1]' must be a number, not null" },
        { "scale=0", "card field 'scale' is 0: it must be above 0" },
        { "scale=-0.5", "card field 'scale' is -0.5: it must be above 0" },
        { "inputSize=\"224\"", "card field 'inputSize' must be a whole number, not the text '224'" },
        { "inputSize=224.5", "card field 'inputSize' must be a whole number, not 224.5" },
        { "inputSize=0", "card field 'inputSize' is 0, not in 8 to 4096" },
        { "shorterSide=100000", "card field 'shorterSide' is 100000, not in 8 to 8192" },
        { "classOffset=-1", "card field 'classOffset' is -1: it must not be negative" },
        { "resize=\"stretch\"", "card field 'resize' must be crop or squash, not 'stretch'" },
        { "channelOrder=\"rgb\"", "card field 'channelOrder' must be RGB or BGR, not 'rgb'" },
        { "name=\"\"", "card field 'name' is empty" },
        { "classes=[]", "card field 'classes' lists no classes" },
        { "classes=null", "card field 'classes' must not be null" },
        { "classes=[{\"wnid\": \"n01440764\"}]", "card field 'classes[0].name' is missing" },
        { "classes=[{\"wnid\": \"n0144,0764\", \"name\": \"tench\"}]", "card field 'classes[0].wnid' is 'n0144,0764', which holds a space or comma" },
        { "classes=[{\"wnid\": \"n01440764\", \"name\": \"a\"}, {\"wnid\": \"n01440764\", \"name\": \"b\"}]", "card field 'classes[1].wnid' is 'n01440764', the same as classes[0].wnid" },
        { "stdev=[1, 1, 1]", "card field 'stdev' is not a card field" },
        { "-name", "card field 'name' is missing" },
        { "-inputSize", "card field 'inputSize' is missing" },
        { "-resize", "card field 'resize' is missing" },
        { "-shorterSide", "card field 'shorterSide' is missing" },
        { "-channelOrder", "card field 'channelOrder' is missing" },
        { "-scale", "card field 'scale' is missing" },
        { "-mean", "card field 'mean' is missing" },
        { "-std", "card field 'std' is missing" },
        { "-classOffset", "card field 'classOffset' is missing" },
        { "-classes", "card field 'classes' is missing" },
    };

    private static string Edited(string edit)
    {
        var card = JsonNode.Parse(File.ReadAllText(TinyDarknetFixture.Card))!.AsObject();
        if (edit.StartsWith('-')) Assert.True(card.Remove(edit[1..]), edit);
        else card[edit.Split('=', 2)[0]] = JsonNode.Parse(edit.Split('=', 2)[1]);
        return card.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(BrokenCards))]
    public void A_broken_card_file_is_refused_naming_the_file_and_the_field(string edit, string says)
    {
        var path = Path.Combine(_dir, "broken.card.json");
        File.WriteAllText(path, Edited(edit));
        var run = Run(tiny.Model, "--card", path);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains($"error: {path}: {says}", run.Stderr);
    }

    [Fact]
    public void A_NaN_as_Python_writes_it_names_its_field()
    {
        // json.dump writes float('nan') as a bare NaN, which is not JSON.
        var path = Path.Combine(_dir, "nan.card.json");
        File.WriteAllText(path, Edited("mean=[0, 0, 0]").Replace("\"mean\":[0,0,0]", "\"mean\":[NaN,0,0]"));
        var run = Run(tiny.Model, "--card", path);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains($"error: {path}: card field 'mean' is not valid JSON (line 1:", run.Stderr);
    }

    [Fact]
    public void A_broken_stored_card_is_refused_naming_the_model_and_the_field_and_the_override_replaces_it()
    {
        var proto = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(tiny.Model));
        proto.MetadataProps.Single(p => p.Key == "pipeline.card").Value = Edited("std=[1, -2, 1]");
        var model = Path.Combine(_dir, "broken_card.onnx");
        File.WriteAllBytes(model, proto.ToByteArray());

        var run = Run(model);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains($"error: {model} (stored card): card field 'std[1]' is -2: it must be above 0", run.Stderr);

        var inspect = CommandLine.Run("inspect", "--model", model);
        Assert.Equal(1, inspect.ExitCode);
        Assert.Contains("card field 'std[1]' is -2", inspect.Stderr);

        var overridden = Run(model, "--card", TinyDarknetFixture.Card, "--card-override");
        Assert.True(overridden.Code == 0, overridden.Stderr);
        Assert.Contains($"in place of the card stored in {model} (an unreadable card)", overridden.Stderr);
    }

    [Fact]
    public void An_unknown_rule_in_the_models_metadata_is_refused_naming_the_key()
    {
        var proto = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(tiny.Model));
        proto.MetadataProps.Single(p => p.Key == "gradient.rule").Value = "magic";
        var model = Path.Combine(_dir, "magic_rule.onnx");
        File.WriteAllBytes(model, proto.ToByteArray());
        var run = Run(model);
        Assert.Equal(1, run.Code);
        OneLine(run.Stderr);
        Assert.Contains($"error: {model}: gradient metadata 'gradient.rule' is 'magic', not one of gradient, deconvnet, guided", run.Stderr);
    }

    [Fact]
    public void Inspect_describes_a_gradient_model_by_its_contract()
    {
        var (code, stdout, stderr) = CommandLine.Run("inspect", "--model", tiny.Model);
        Assert.True(code == 0, stderr);
        Assert.Contains($"gradient model, builder {GradientGraphs.Building.GradientModelContract.BuilderVersion}, rule gradient", stdout);
        Assert.Contains("input   class_index int64 [N,K]", stdout);
        Assert.Contains("output  input_grad float [N,K,3,224,224]", stdout);
        Assert.Contains("card    'Tiny Darknet', 1000 classes, 224x224 RGB, resize squash", stdout);
    }

    [Fact]
    public void The_shipped_cards_read()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(CommandLine.Repository(), "models", "onnx"), "*.card.json"))
        {
            var card = ModelCard.Load(file);
            Assert.Equal(1000, card.Classes.Count + card.ClassOffset);
            // Written and read back, a card is the same card: what a gradient model stores compares equal.
            Assert.Empty(ModelCard.Parse(card.ToJson(), "stored").FieldsDifferingFrom(card));
        }
    }
}
