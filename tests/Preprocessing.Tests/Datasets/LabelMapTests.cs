// Tests for LabelMap: ordinal class indices, unseen labels reported per policy, JSON round-trip.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class LabelMapTests
{
    private static ClassificationDataset Dataset(params (string Label, int Line)[] items)
        => new(items.Select(i => new ClassificationExample("text", i.Label, null, "test.tsv", i.Line)).ToArray(), ClassificationFormat.Delimited, new DatasetLoadReport(items.Length, []));

    [Fact]
    public void UnseenTestLabelsAreReportedPerPolicy()
    {
        var map = LabelMap.Fit(Dataset(("spam", 1), ("ham", 2)));
        Assert.Equal(["ham", "spam"], map.Labels);
        var test = Dataset(("ham", 1), ("phish", 2), ("spam", 3));
        var error = Assert.Throws<DatasetFormatException>(() => map.Encode(test, ErrorPolicy.Fail));
        Assert.StartsWith("test.tsv:2:", error.Message);
        Assert.Contains("'phish' was not seen in training", error.Message);

        var encoded = map.Encode(test, ErrorPolicy.Skip);
        Assert.Equal([0, 2], encoded.ExampleIndices);
        Assert.Equal([0, 1], encoded.ClassIndices);
        Assert.Equal(2, Assert.Single(encoded.Report.Skipped).Line);
    }

    [Fact]
    public void JsonRoundTrip()
    {
        var map = LabelMap.Fit(["b", "a", "b"]);
        Assert.Equal(map.Labels, LabelMap.FromJson(map.ToJson()).Labels);
        Assert.Throws<FormatException>(() => LabelMap.FromJson("[\"a\",\"a\"]"));
        Assert.Throws<FormatException>(() => LabelMap.FromJson("{", "labels.json"));
    }
}
