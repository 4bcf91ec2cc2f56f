// MetricsJson writes files that read back into the same reports, keyed by model name.
using System.Text.Json;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Classification;

namespace Pipeline.Tests.Evaluation;

public sealed class MetricsJsonTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("metrics-json-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ClassificationReport Sample() =>
        ClassificationEvaluator.Evaluate([0, 1, 1], [[0.7f, 0.3f], [0.4f, 0.6f], [0.8f, 0.2f]], ["neg", "pos"]);

    [Fact]
    public void SingleReportRoundTrips()
    {
        string path = Path.Combine(_folder, "sub", "m.json");
        MetricsJson.Write(path, Sample());
        Assert.Equal(Sample().ToJson(), ClassificationReport.FromJson(File.ReadAllText(path)).ToJson());
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void NamedReportsAreKeyedByModel()
    {
        string path = Path.Combine(_folder, "all.json");
        MetricsJson.Write(path, [new("lstm", Sample()), new(MlNetBaseline.ModelName, Sample())]);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(["lstm", MlNetBaseline.ModelName], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(2.0 / 3, doc.RootElement.GetProperty("lstm").GetProperty("micro_accuracy").GetDouble(), 1e-9);
        Assert.Throws<ArgumentException>(() => MetricsJson.Write(path, [new("a", Sample()), new("a", Sample())]));
    }
}
