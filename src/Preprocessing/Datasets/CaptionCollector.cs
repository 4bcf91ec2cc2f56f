// Gathers captions per image in first-seen order, then resolves image paths and checks the files exist.
// Shared by all caption readers so missing images and empty captions are handled the same everywhere.
// An image may belong to one split only: a Karpathy file or a set of split lists that puts one image in
// two splits (train and test, say) would leak its captions across them, so that is an error naming both
// places, and under the skip policy the image is left out of every split.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Accumulates captions per image name for one load.</summary>
internal sealed class CaptionCollector(string file, string imageRoot, CaptionLoadOptions options, ErrorCollector errors)
{
    /// <summary>Folder image names are resolved against when <see cref="Build"/> runs.</summary>
    public string ImageRoot { get; set; } = imageRoot;

    /// <summary>The first collected image's (folder, file name), or null when none was collected.</summary>
    public (string? Folder, string FileName)? FirstImage => _order.Count == 0 ? null : (_order[0].Folder, _order[0].FileName);

    private sealed class Entry(string fileName, string? folder, DatasetSplit split, int line)
    {
        public string FileName { get; } = fileName;
        public string? Folder { get; } = folder;
        public DatasetSplit Split { get; set; } = split;
        public int Line { get; } = line;
        public List<CaptionReference> Captions { get; } = [];
        public string? Id { get; set; }
        public string? SplitSource { get; set; }   // where the split was set ("file:line"), for conflict messages
        public bool Conflicted { get; set; }
    }

    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly List<Entry> _order = [];

    public ErrorCollector Errors { get; } = errors;

    public string File { get; } = file;

    /// <summary>Adds one caption; an empty caption is reported (per policy) instead of being kept.</summary>
    public void Add(string fileName, string? folder, DatasetSplit split, CaptionReference caption, int line)
    {
        if (string.IsNullOrWhiteSpace(caption.Raw))
        {
            Errors.Report(File, line, $"empty caption for image '{fileName}'; expected non-empty text");
            return;
        }
        GetOrAdd(fileName, folder, split, line).Captions.Add(caption);
    }

    /// <summary>
    /// Declares an image with its split (so an image without captions is reported rather than silently absent). Declaring it
    /// again with another split is reported as a conflict.
    /// </summary>
    public void Declare(string fileName, string? folder, DatasetSplit split, int line, string? id = null)
    {
        bool known = _byName.TryGetValue(fileName, out var entry);
        entry = GetOrAdd(fileName, folder, split, line);
        entry.Id ??= id;
        if (known && entry.SplitSource is not null && entry.Split != split)
            Conflict(entry, split, $"{File}:{line}");
        entry.SplitSource ??= $"{File}:{line}";
    }

    /// <summary>
    /// Sets the split of an already collected image from a split list (<paramref name="source"/> = "file:line"); false when the
    /// image is unknown. A second list naming the image for another split is reported as a conflict.
    /// </summary>
    public bool TrySetSplit(string fileName, DatasetSplit split, string? source = null)
    {
        if (!_byName.TryGetValue(fileName, out var entry))
            return false;
        if (source is not null && entry.SplitSource is not null && entry.Split != split)
        {
            Conflict(entry, split, source);
            return true;
        }
        entry.Split = split;
        if (source is not null) entry.SplitSource = source;
        return true;
    }

    private void Conflict(Entry entry, DatasetSplit other, string where)
    {
        entry.Conflicted = true;
        var (file, line) = SplitLocation(where);
        Errors.Report(file, line,
            $"image '{entry.FileName}' is in split {Name(entry.Split)} ({entry.SplitSource}) and in split {Name(other)} here; an image must belong to one split " +
            "(its captions would otherwise leak between them), so it is left out of both");
    }

    private static string Name(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Validation => "val",
        DatasetSplit.Test => "test",
        DatasetSplit.RestVal => "restval",
        _ => "unassigned",
    };

    private static (string File, int Line) SplitLocation(string where)
    {
        int colon = where.LastIndexOf(':');
        return colon > 0 && int.TryParse(where.AsSpan(colon + 1), out int line) ? (where[..colon], line) : (where, 0);
    }

    private Entry GetOrAdd(string fileName, string? folder, DatasetSplit split, int line)
    {
        if (!_byName.TryGetValue(fileName, out var entry))
        {
            entry = new Entry(fileName, folder, split, line);
            _byName.Add(fileName, entry);
            _order.Add(entry);
        }
        return entry;
    }

    /// <summary>Resolves paths, reports images without captions or without a file, and builds the dataset.</summary>
    public CaptionDataset Build(CaptionFormat format, IReadOnlyDictionary<DatasetSplit, string> splitLists)
    {
        var images = new List<CaptionImage>(_order.Count);
        var withoutCaptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in _order)
        {
            if (entry.Conflicted) continue;   // already reported
            var path = entry.Folder is null ? Path.Combine(ImageRoot, entry.FileName) : Path.Combine(ImageRoot, entry.Folder, entry.FileName);
            if (entry.Captions.Count == 0)
            {
                Errors.Report(File, entry.Line, $"image '{entry.FileName}' has no valid caption; expected at least one");
                withoutCaptions[entry.FileName] = $"{File}:{entry.Line}";
                continue;
            }
            if (options.CheckImagesExist && !System.IO.File.Exists(path))
            {
                Errors.Report(File, entry.Line, $"image file not found: {path} ({entry.Captions.Count} captions refer to it)");
                continue;
            }
            images.Add(new CaptionImage(entry.FileName, path, entry.Split, entry.Captions.ToArray(), entry.Id));
        }
        return new CaptionDataset(images, format, Errors.ToReport(images.Count)) { ImagesWithoutCaptions = withoutCaptions, ImageRoot = ImageRoot, SplitLists = splitLists };
    }
}
