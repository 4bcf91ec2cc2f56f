namespace Pipeline.Batch;

/// <summary>Settings of a streaming, resumable batch job.</summary>
/// <param name="BatchSize">Items handed to the model at once.</param>
/// <param name="PrepareWorkers">Parallel readers/decoders (default: processor count).</param>
/// <param name="MaxInFlight">Upper bound on items read but not yet written: bounds memory for any corpus size.</param>
/// <param name="OnError">Skip-and-report or stop at the first failed item.</param>
/// <param name="ItemTimeout">Time allowed for reading/decoding one item (per attempt).</param>
/// <param name="Retries">Retries of transient I/O failures, with exponential backoff.</param>
public sealed record BatchOptions(
    int BatchSize = 16,
    int PrepareWorkers = 0,
    int MaxInFlight = 128,
    BatchErrorPolicy OnError = BatchErrorPolicy.Skip,
    TimeSpan? ItemTimeout = null,
    int Retries = 3)
{
    /// <summary>Workers actually used.</summary>
    public int EffectiveWorkers => PrepareWorkers > 0 ? PrepareWorkers : Environment.ProcessorCount;

    /// <summary>Per-item timeout actually used (30 s by default).</summary>
    public TimeSpan EffectiveTimeout => ItemTimeout ?? TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
        if (MaxInFlight < BatchSize) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "must be at least the batch size");
        if (Retries < 0) throw new ArgumentOutOfRangeException(nameof(Retries), Retries, "must be non-negative");
    }
}

/// <summary>Counts reported while a batch job runs and at its end.</summary>
/// <param name="Completed">Items processed and written in this run.</param>
/// <param name="Skipped">Items already present in the output from an earlier run.</param>
/// <param name="Failed">Items that failed and were written to the errors file.</param>
/// <param name="Cancelled">True when the run stopped early (Ctrl-C or the fail policy).</param>
public sealed record BatchSummary(int Completed, int Skipped, int Failed, bool Cancelled)
{
    /// <summary>
    /// Inputs that are not items of the job and were left out before it started (e.g. files without an image extension, FIFOs
    /// and folder cycles met while listing folders); counted so they are not silently lost. They do not change <see cref="ExitCode"/>.
    /// </summary>
    public int Ignored { get; init; }

    /// <summary>Process exit code (docs/cli.md): 0 when everything finished, 1 when some items failed (see the errors file), 130 when cancelled.</summary>
    public int ExitCode => Failed > 0 ? 1 : Cancelled ? 130 : 0;
}
