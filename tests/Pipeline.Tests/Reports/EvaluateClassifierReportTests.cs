// `pipeline evaluate classifier --model A --compare B --report r.html`: both models are scored on the same
// data, and their training curves (each directory's metrics.jsonl) are drawn in shared charts.
using System.Text.RegularExpressions;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Reports;

[Collection("Console")]
public sealed class EvaluateClassifierReportTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("evaluate-report").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Model(string name, ulong seed, double lossScale)
    {
        string directory = TinyModelDirectories.WriteClassifier(Path.Combine(root, name), seed);
        File.WriteAllLines(Path.Combine(directory, Pipeline.Models.Training.Trainer.MetricsLogFile), Enumerable.Range(1, 4).Select(e => FormattableString.Invariant(
            $"{{\"epoch\":{e},\"train_loss\":{lossScale / e},\"valid_metric\":{0.5 + 0.1 * e},\"lr\":0.001,\"valid_accuracy\":{0.5 + 0.1 * e},\"valid_macro_f1\":{0.4 + 0.1 * e},\"valid_loss\":{lossScale / e + 0.1}}}")));
        return directory;
    }

    [Fact]
    public async Task TwoModelsShareTheTrainingCharts()
    {
        string textCnn = Model("textcnn", 5, 1.0), biLstm = Model("bilstm", 6, 1.4);
        string data = Path.Combine(root, "test.tsv");
        File.WriteAllLines(data, TinyModelDirectories.ClassifierTexts.Select((t, i) => $"{new[] { "spam", "promo", "ham" }[i % 3]}\t{t}"));
        string report = Path.Combine(root, "report.html");
        var run = await InProcessCli.RunAsync("evaluate", "classifier", "--model", textCnn, "--compare", biLstm, "--data", data, "--report", report);
        Assert.True(run.Exit == 0, run.Error);
        string html = File.ReadAllText(report);
        Assert.Contains("alt=\"Training and validation loss per epoch of textcnn, bilstm\"", html);
        Assert.Contains("alt=\"Validation accuracy per epoch of textcnn, bilstm\"", html);
        Assert.Contains("alt=\"Validation macro-F1 per epoch of textcnn, bilstm\"", html);
        Assert.Equal(2, Regex.Count(html, "<details"));   // one details block per model
    }
}
