// Results written to a stream that cannot be resumed from — standard output ("--out -", the default of
// caption and classify), /dev/stdout, a pipe — in the same layout as the result file: the header first
// (CSV/TSV), then one record per line, flushed per record so a reader downstream sees each result at once.
namespace Pipeline.Batch;

/// <summary>Writes <see cref="ResultRecord"/>s to a <see cref="TextWriter"/> in JSONL, CSV or TSV, flushing after each.</summary>
public sealed class ResultStreamWriter(TextWriter writer, OutputFormat format)
{
    private readonly Lock gate = new();
    private bool headerWritten;

    /// <summary>The format in use.</summary>
    public OutputFormat Format { get; } = format;

    /// <summary>Writes one record (after the header, the first time) and flushes.</summary>
    public void Write(ResultRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            if (!headerWritten && Format != OutputFormat.JsonLines) writer.Write(ResultRecordText.Header(record, Format) + "\n");
            headerWritten = true;
            writer.Write(ResultRecordText.Line(record, Format) + "\n");
            writer.Flush();
        }
    }
}
