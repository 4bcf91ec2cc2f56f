// Gathers captions per image in first-seen order, then resolves image paths and checks the files exist.
// Shared by all caption readers so missing images and empty captions are handled the same everywhere.
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

    /// <summary>Declares an image (so an image without captions is reported rather than silently absent).</summary>
    public void Declare(string fileName, string? folder, DatasetSplit split, int line, string? id = null) => GetOrAdd(fileName, folder, split, line).Id ??= id;

    /// <summary>Changes the split of an already collected image; false when the image is unknown.</summary>
    public bool TrySetSplit(string fileName, DatasetSplit split)
    {
        if (!_byName.TryGetValue(fileName, out var entry))
            return false;
        entry.Split = split;
        return true;
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
        foreach (var entry in _order)
        {
            var path = entry.Folder is null ? Path.Combine(ImageRoot, entry.FileName) : Path.Combine(ImageRoot, entry.Folder, entry.FileName);
            if (entry.Captions.Count == 0)
            {
                Errors.Report(File, entry.Line, $"image '{entry.FileName}' has no valid caption; expected at least one");
                continue;
            }
            if (options.CheckImagesExist && !System.IO.File.Exists(path))
            {
                Errors.Report(File, entry.Line, $"image file not found: {path} ({entry.Captions.Count} captions refer to it)");
                continue;
            }
            images.Add(new CaptionImage(entry.FileName, path, entry.Split, entry.Captions.ToArray(), entry.Id));
        }
        return new CaptionDataset(images, format, Errors.ToReport(images.Count)) { ImageRoot = ImageRoot, SplitLists = splitLists };
    }
}
