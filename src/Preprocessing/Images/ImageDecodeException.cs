// The single error type for every way an image file can fail to become pixels, so callers
// (loaders, caches, CLIs) can report the file and reason without parsing native error codes.
namespace Pipeline.Preprocessing.Images;

/// <summary>Why an image could not be decoded.</summary>
public enum ImageDecodeError
{
    /// <summary>The file does not exist or could not be opened/read.</summary>
    Unreadable,
    /// <summary>The file has zero bytes.</summary>
    Empty,
    /// <summary>The bytes are not any known image format (e.g. a text file named .jpg).</summary>
    NotAnImage,
    /// <summary>A recognised container whose format this decoder does not handle.</summary>
    UnsupportedFormat,
    /// <summary>The header announces more pixels than the configured limit.</summary>
    TooManyPixels,
    /// <summary>The data ends before the image is complete.</summary>
    Truncated,
    /// <summary>The data is damaged in a way the codec rejects.</summary>
    Corrupt,
    /// <summary>The encoded file itself is larger than <see cref="ImageDecoder.MaxEncodedBytes"/>.</summary>
    FileTooLarge,
}

/// <summary>Raised when an image file cannot be decoded; the message names the file and the problem.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> with a reason category and details.</summary>
    public ImageDecodeException(string source, ImageDecodeError error, string detail, Exception? inner = null)
        : base($"Cannot decode image '{source}': {detail}", inner)
    {
        ImagePath = source;
        Error = error;
    }

    /// <summary>The file path (or caller-supplied name) of the offending image.</summary>
    public string ImagePath { get; }

    /// <summary>The category of failure.</summary>
    public ImageDecodeError Error { get; }
}
