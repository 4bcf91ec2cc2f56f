// The ML.NET components against the library API on tiny models: a pipeline LoadFromTextFile →
// CaptionImages → ClassifyText gives exactly ImageCaptioner/TextClassifier's answers through Transform and
// through a prediction engine, chains with ML.NET's own transforms, survives mlContext.Model.Save/Load
// (in a fresh MLContext, the settings read back from the model file), and rejects missing or non-text
// input columns and broken model directories in Fit/GetOutputSchema, before any model is loaded.
using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.MLNet;
using Pipeline.ModelFiles;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.MLNet;

public sealed class PipelineTransformsTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "pipeline-mlnet-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string captionerDir;
    private readonly string classifierDir;
    private readonly IReadOnlyList<string> images;
    private readonly string dataFile;

    public PipelineTransformsTests()
    {
        captionerDir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "captioner"));
        classifierDir = TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier"));
        images = TinyModelDirectories.WriteImages(Path.Combine(root, "images"));
        // One row per image, each with a text: ImagePath<TAB>Text<TAB>Id
        dataFile = Path.Combine(root, "data.tsv");
        File.WriteAllLines(dataFile, ["ImagePath\tText\tId", .. images.Select((p, i) => $"{p}\t{TinyModelDirectories.ClassifierTexts[i]}\t{i}")]);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private sealed class Row
    {
        [LoadColumn(0)] public string ImagePath { get; set; } = "";
        [LoadColumn(1)] public string Text { get; set; } = "";
        [LoadColumn(2)] public float Id { get; set; }
    }

    private sealed class Result
    {
        public string Caption { get; set; } = "";
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    // SchemaShape.Create is internal; ML.NET builds shapes this way when it checks a chain before fitting.
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    private static IDataView Load(MLContext ml, string path) => ml.Data.LoadFromTextFile<Row>(path, separatorChar: '\t', hasHeader: true);

    private IEstimator<ITransformer> BuildPipeline(MLContext ml, int beam) =>
        ml.Transforms.CaptionImages(captionerDir, "ImagePath", "Caption", beam)
            .Append(ml.Transforms.ClassifyText(classifierDir, "Text"))
            .Append(ml.Transforms.Concatenate("Features", "Id"));   // an ordinary ML.NET transform after ours

    private (string[] Captions, string[] Labels, float[][] Scores) Expected(int beam)
    {
        var captions = ImageCaptioner.Load(captionerDir).CaptionMany(images, new CaptionOptions(BeamSize: beam)).Select(r => r.Caption).ToArray();
        var predictions = TextClassifier.Load(classifierDir).PredictMany(TinyModelDirectories.ClassifierTexts.Take(images.Count));
        return (captions, predictions.Select(p => p.Label).ToArray(), predictions.Select(p => p.Probabilities).ToArray());
    }

    private static void AssertSame((string[] Captions, string[] Labels, float[][] Scores) expected, IReadOnlyList<Result> actual)
    {
        Assert.Equal(expected.Captions, actual.Select(r => r.Caption));
        Assert.Equal(expected.Labels, actual.Select(r => r.PredictedLabel));
        for (int i = 0; i < actual.Count; i++) Assert.Equal(expected.Scores[i], actual[i].Score);   // same code path: bit-identical
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void PipelineMatchesTheLibraryApiBeforeAndAfterSaveAndLoad(int beam)
    {
        var expected = Expected(beam);
        Assert.Contains(expected.Captions, c => c.Length > 0);   // the untrained model still says something
        Assert.All(expected.Scores, s => Assert.Equal(3, s.Length));
        var ml = new MLContext(seed: 1);
        var data = Load(ml, dataFile);
        var model = BuildPipeline(ml, beam).Fit(data);

        var transformed = ml.Data.CreateEnumerable<Result>(model.Transform(data), reuseRowObject: false).ToList();
        AssertSame(expected, transformed);
        Assert.DoesNotContain(model.GetOutputSchema(data.Schema), c => c.Name.StartsWith("__Pipeline", StringComparison.Ordinal));
        Assert.Equal(TextDataViewType.Instance, model.GetOutputSchema(data.Schema)["Caption"].Type);

        var engine = ml.Model.CreatePredictionEngine<Row, Result>(model);
        var one = engine.Predict(new Row { ImagePath = images[1], Text = TinyModelDirectories.ClassifierTexts[1] });
        Assert.Equal(expected.Captions[1], one.Caption);
        Assert.Equal(expected.Labels[1], one.PredictedLabel);

        // Save, then load in a fresh context: the model directory and beam come back from the file.
        var saved = Path.Combine(root, $"model-beam{beam}.zip");
        ml.Model.Save(model, data.Schema, saved);
        var fresh = new MLContext(seed: 2);
        PipelineTransforms.Register(fresh);
        var reloaded = fresh.Model.Load(saved, out var schema);
        Assert.Equal(data.Schema.Select(c => c.Name), schema.Select(c => c.Name));
        AssertSame(expected, fresh.Data.CreateEnumerable<Result>(reloaded.Transform(Load(fresh, dataFile)), reuseRowObject: false).ToList());
        var reloadedEngine = fresh.Model.CreatePredictionEngine<Row, Result>(reloaded);
        Assert.Equal(expected.Captions[2], reloadedEngine.Predict(new Row { ImagePath = images[2], Text = "x" }).Caption);
    }

    [Fact]
    public void TransformIsLazy()
    {
        // A directory that validates, then loses its weights: Fit and Transform succeed, reading rows fails.
        var ml = new MLContext(seed: 1);
        var data = Load(ml, dataFile);
        var lazyDir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "lazy"));
        var transformer = ml.Transforms.CaptionImages(lazyDir).Fit(data);
        File.Delete(Path.Combine(lazyDir, "model.safetensors"));
        var view = transformer.Transform(data);   // no model needed yet
        Assert.Contains(view.Schema, c => c.Name == "Caption");
        Assert.ThrowsAny<Exception>(() => view.GetColumn<string>("Caption").ToList());
    }

    [Fact]
    public void MissingInputColumnIsRejectedBeforeAnyWork()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, dataFile);
        var estimator = ml.Transforms.CaptionImages(captionerDir, inputColumnName: "Photo");
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("CaptionImages: input column 'Photo' (the image file path) was not found", fit.Message);
        Assert.Contains("'ImagePath', 'Text', 'Id'", fit.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(ShapeOf(data.Schema)));
        Assert.Contains("input column 'Photo'", shape.Message);

        // A fitted transformer applied to data without the column fails the same way.
        var transformer = ml.Transforms.ClassifyText(classifierDir).Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new { Body = "hello" } });
        Assert.Contains("ClassifyText: input column 'Text' (the text to classify) was not found",
            Assert.Throws<ArgumentOutOfRangeException>(() => transformer.Transform(other)).Message);
    }

    [Fact]
    public void NonTextInputColumnIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, dataFile);
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ClassifyText(classifierDir, inputColumnName: "Id").Fit(data));
        Assert.Contains("ClassifyText: input column 'Id' must be text (the text to classify) but is Single", fit.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.CaptionImages(captionerDir, inputColumnName: "Id").GetOutputSchema(ShapeOf(data.Schema)));
        Assert.Contains("input column 'Id' must be a text scalar", shape.Message);
    }

    [Fact]
    public void BrokenModelDirectoryIsRejectedByFit()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, dataFile);
        var broken = TinyModelDirectories.WriteClassifier(Path.Combine(root, "broken"));
        File.WriteAllText(Path.Combine(broken, ClassifierDirectory.LabelsFile), """["a","b"]""");
        var ex = Assert.Throws<ModelDirectoryException>(() => ml.Transforms.ClassifyText(broken).Fit(data));
        Assert.Contains("labels.json has 2 label entries but tensor 'fc.weight' has 3 along axis 0", ex.Message);
        Assert.Throws<ModelDirectoryException>(() => ml.Transforms.CaptionImages(Path.Combine(root, "nowhere")).Fit(data));
    }

    [Fact]
    public void InvalidArgumentsAreRejectedAtConstruction()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.CaptionImages(captionerDir, beam: 0));
        Assert.Throws<ArgumentException>(() => ml.Transforms.ClassifyText(classifierDir, outputColumnName: "X", scoreColumnName: "X"));
        Assert.Throws<ArgumentException>(() => ml.Transforms.CaptionImages(" "));
    }
}
