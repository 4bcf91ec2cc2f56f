// Dataset format names and detection. Detection looks at the extension first and then at the content,
// because extensions lie (Flickr's captions file is "Flickr8k.token.txt", JSONL often ends in ".json").
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Caption annotation formats.</summary>
public enum CaptionFormat
{
    /// <summary>Detect from extension and content.</summary>
    Auto,
    /// <summary>Karpathy split JSON (dataset_coco.json, dataset_flickr8k.json).</summary>
    KarpathyJson,
    /// <summary>COCO captions annotations JSON (captions_train2014.json).</summary>
    CocoJson,
    /// <summary>Flickr8k/30k token file: <c>image.jpg#0&lt;TAB&gt;caption</c>.</summary>
    FlickrToken,
    /// <summary>TSV/CSV <c>image&lt;TAB&gt;caption</c>, several lines per image, optional header.</summary>
    Delimited,
}

/// <summary>Text classification formats.</summary>
public enum ClassificationFormat
{
    /// <summary>Detect from extension and content (a directory means <see cref="Folder"/>).</summary>
    Auto,
    /// <summary>TSV/CSV: <c>label&lt;TAB&gt;text</c>, or any order when a header names the columns.</summary>
    Delimited,
    /// <summary>fastText: <c>__label__x text</c>.</summary>
    FastText,
    /// <summary>One JSON object per line with text and label fields.</summary>
    Jsonl,
    /// <summary>A folder per class holding .txt files.</summary>
    Folder,
}

/// <summary>Which split an item belongs to.</summary>
public enum DatasetSplit
{
    /// <summary>No split given.</summary>
    Unassigned,
    /// <summary>Training data.</summary>
    Train,
    /// <summary>Validation ("val", "valid", "dev").</summary>
    Validation,
    /// <summary>Test data.</summary>
    Test,
    /// <summary>Karpathy's "restval": COCO val images used for training.</summary>
    RestVal,
}

/// <summary>Format sniffing and split-name parsing.</summary>
public static partial class DatasetFormatDetector
{
    private const int SniffBytes = 64 * 1024;

    /// <summary>Parses a split name ("train", "val", "valid", "validation", "dev", "test", "restval"); null if unknown.</summary>
    public static DatasetSplit? ParseSplit(string name) => name.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => DatasetSplit.Train,
        "val" or "valid" or "validation" or "dev" => DatasetSplit.Validation,
        "test" => DatasetSplit.Test,
        "restval" => DatasetSplit.RestVal,
        _ => null,
    };

    /// <summary>Detects a caption file's format; throws <see cref="DatasetFormatException"/> when nothing fits.</summary>
    public static CaptionFormat DetectCaptions(string path)
    {
        var head = Head(path);
        var extension = ContentExtension(path);
        if (extension == ".json" || head.TrimStart().StartsWith('{'))
        {
            // Karpathy images carry "sentences" and "filename"; COCO images carry "file_name" and the
            // annotations come after all images, so "file_name" is the early signal.
            if (head.Contains("\"sentences\"", StringComparison.Ordinal) || head.Contains("\"filename\"", StringComparison.Ordinal))
                return CaptionFormat.KarpathyJson;
            if (head.Contains("\"file_name\"", StringComparison.Ordinal) || head.Contains("\"annotations\"", StringComparison.Ordinal))
                return CaptionFormat.CocoJson;
            throw new DatasetFormatException(new DatasetError(path, 0,
                "cannot tell the caption JSON format; expected Karpathy ('images' with 'sentences') or COCO ('images' + 'annotations'). Force it with the format option."));
        }
        if (FlickrLine().IsMatch(FirstLine(head)))
            return CaptionFormat.FlickrToken;
        if (extension is ".tsv" or ".csv" or ".txt" || head.Contains('\t'))
            return CaptionFormat.Delimited;
        throw new DatasetFormatException(new DatasetError(path, 0,
            "cannot detect the caption format; expected .json, a Flickr token file or TSV/CSV. Force it with the format option."));
    }

    /// <summary>Detects a classification input's format; throws <see cref="DatasetFormatException"/> when nothing fits.</summary>
    public static ClassificationFormat DetectClassification(string path)
    {
        if (Directory.Exists(path))
            return ClassificationFormat.Folder;
        var extension = ContentExtension(path);
        if (extension is ".jsonl" or ".ndjson")
            return ClassificationFormat.Jsonl;
        var first = FirstLine(Head(path)).TrimStart();
        if (first.StartsWith('{'))
            return ClassificationFormat.Jsonl;
        if (first.StartsWith("__label__", StringComparison.Ordinal))
            return ClassificationFormat.FastText;
        if (extension is ".tsv" or ".csv" or ".txt" || first.Contains('\t') || first.Contains(','))
            return ClassificationFormat.Delimited;
        throw new DatasetFormatException(new DatasetError(path, 0,
            "cannot detect the classification format; expected TSV/CSV, fastText, JSONL or a folder per class. Force it with the format option."));
    }

    /// <summary>The delimiter implied by a file name: ',' for .csv, tab otherwise.</summary>
    public static char DelimiterFor(string path) => ContentExtension(path) == ".csv" ? ',' : '\t';

    /// <summary>The lower-case extension that names the content: "train.tsv.gz" → ".tsv" (gzip files are read decompressed).</summary>
    public static string ContentExtension(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension == ".gz" ? Path.GetExtension(Path.GetFileNameWithoutExtension(path)).ToLowerInvariant() : extension;
    }

    private static string Head(string path)
    {
        SourceText.RequireFile(path);
        using var stream = Files.BoundedFile.OpenRead(path, SourceText.MaxFileBytes, "dataset file", decompressGzip: true);
        var buffer = new byte[SniffBytes];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        // Lenient decoding here: sniffing must not fail on a bad byte; the reader reports it with its line.
        return Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF');
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n');
        return (end < 0 ? text : text[..end]).TrimEnd('\r');
    }

    [GeneratedRegex(@"^[^\t#]+#\d+\t")]
    private static partial Regex FlickrLine();
}
