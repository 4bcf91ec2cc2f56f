// Settings of a batch captioning job (what `pipeline caption` parses its command line into).
using Pipeline.Batch;

namespace Pipeline.Captioning;

/// <summary>What to caption, where results go, and how.</summary>
/// <param name="Inputs">Image files and/or folders.</param>
/// <param name="OutputPath">Result file (.jsonl, .csv or .tsv); reruns skip images already in it. Null: write to standard output (not resumable).</param>
/// <param name="Recursive">Descend into sub-folders of folder inputs.</param>
/// <param name="AttentionMapsDirectory">Write one attention-overlay PNG per image here (attention models only).</param>
/// <param name="Caption">Decoding settings.</param>
/// <param name="Batch">Batch size, workers, error policy, retries and timeout.</param>
public sealed record CaptionBatchOptions(
    IReadOnlyList<string> Inputs,
    string? OutputPath,
    bool Recursive,
    string? AttentionMapsDirectory,
    CaptionOptions Caption,
    BatchOptions Batch)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public CaptionBatchOptions Validate()
    {
        if (Inputs is null || Inputs.Count == 0) throw new ArgumentException("At least one input file or folder is required.", nameof(Inputs));
        Caption.Validate();
        Batch.Validate();
        return this;
    }
}
