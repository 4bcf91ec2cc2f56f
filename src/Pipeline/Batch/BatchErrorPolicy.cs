namespace Pipeline.Batch;

/// <summary>What a batch job does when one item fails: record it and go on, or stop.</summary>
public enum BatchErrorPolicy
{
    /// <summary>Write the failure to the errors file, count it, continue.</summary>
    Skip,
    /// <summary>Write the failure to the errors file and stop the job.</summary>
    Fail,
}
