// ML.NET view of classification examples: a file read by our own loader reaches ML.NET with its Text and
// Label columns in file order, and the baseline's in-memory examples give the same columns.
using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.MLNet;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Tests.MLNet;

public sealed class ClassificationDataViewTests
{
    [Fact]
    public void LoadedDatasetBridgesToMlNet()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dataview-{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, "a\tx\nb\ty\n");
        try
        {
            var dataset = ClassificationDatasetLoader.Load(path, new ClassificationLoadOptions(Policy: ErrorPolicy.Fail));
            var view = ClassificationDataView.FromDataset(new MLContext(seed: 0), dataset);
            Assert.Equal(["x", "y"], view.GetColumn<string>(ClassificationDataView.TextColumn));
            Assert.Equal(["a", "b"], view.GetColumn<string>(ClassificationDataView.LabelColumn));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ExamplesKeepTheirOrder()
    {
        ClassificationExample[] examples = [new("good film", "pos"), new("dull", "neg"), new("fine", "pos")];
        var view = ClassificationDataView.FromExamples(new MLContext(seed: 0), examples);
        Assert.Equal(["good film", "dull", "fine"], view.GetColumn<string>(ClassificationDataView.TextColumn));
        Assert.Equal(["pos", "neg", "pos"], view.GetColumn<string>(ClassificationDataView.LabelColumn));
    }
}
