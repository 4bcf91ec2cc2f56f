// The one exception type for unreadable or mismatching checkpoint files. InvalidDataException is
// sealed, so this derives from IOException (file-level trouble); the message always names the file,
// the entry (tensor or key) when there is one, and what was wrong.
namespace Pipeline.Models.Checkpoints;

/// <summary>A checkpoint file is malformed, truncated or does not match what it is loaded into.</summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception; the message is "file: [tensor 'name': ]problem".</summary>
    public CheckpointFormatException(string file, string? entry, string problem, Exception? inner = null)
        : base(entry is null ? $"{file}: {problem}" : $"{file}: tensor '{entry}': {problem}", inner)
    {
        File = file;
        Entry = entry;
    }

    /// <summary>The file (or stream name) being read.</summary>
    public string File { get; }

    /// <summary>The tensor or key concerned, if any.</summary>
    public string? Entry { get; }
}
