// The JSONL training-log reader: known fields, extra fields, blank lines, and errors naming the line.
using Pipeline.Reports;

namespace Pipeline.Tests.Reports;

public sealed class TrainingLogReaderTests
{
    [Fact]
    public void ReadsKnownAndExtraFields()
    {
        const string log = """
            {"epoch":1,"train_loss":2.5,"valid_loss":2.25,"valid_metric":0.4,"metric_name":"accuracy","lr":0.001,"grad_norm":3.5}

            {"epoch":2,"train_loss":1.75}
            """;
        var entries = TrainingLogReader.Read(new StringReader(log));
        Assert.Equal(2, entries.Count);
        Assert.Equal(new TrainingLogEntry(1, 2.5, 2.25, 0.4, "accuracy", 0.001) { Extra = entries[0].Extra }, entries[0]);
        Assert.Equal(3.5, entries[0].Extra["grad_norm"]);
        Assert.Null(entries[1].ValidLoss);
        Assert.Null(entries[1].ValidMetric);
    }

    [Theory]
    [InlineData("{\"epoch\":1,\"train_loss\":1}\n{\"epoch\":1,\"train_loss\":1}", "log.jsonl:2", "does not follow")]
    [InlineData("{\"epoch\":1}", "log.jsonl:1", "train_loss")]
    [InlineData("{\"epoch\":1,\"train_loss\":1}\n{oops", "log.jsonl:2", "invalid JSON")]
    [InlineData("[1,2]", "log.jsonl:1", "JSON object")]
    public void ErrorsNameFileAndLine(string text, string location, string message)
    {
        var ex = Assert.Throws<FormatException>(() => TrainingLogReader.Read(new StringReader(text), "log.jsonl"));
        Assert.Contains(location, ex.Message);
        Assert.Contains(message, ex.Message);
    }
}
