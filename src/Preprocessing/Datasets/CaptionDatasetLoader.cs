// Entry point for caption datasets: picks the format (detected or forced), runs its reader and
// applies split lists, image-root resolution and the error policy.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Loads caption datasets from Karpathy JSON, COCO JSON, Flickr token files or TSV/CSV.</summary>
public static class CaptionDatasetLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> when it is missing and
    /// <see cref="DatasetFormatException"/> for malformed content under <see cref="ErrorPolicy.Fail"/>
    /// (malformed JSON syntax always throws: the rest of the file cannot be trusted).
    /// </summary>
    public static CaptionDataset Load(string path, CaptionLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new CaptionLoadOptions();
        SourceText.RequireFile(path);
        var format = options.Format == CaptionFormat.Auto ? DatasetFormatDetector.DetectCaptions(path) : options.Format;
        var imageRoot = options.ImageRoot ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        var collector = new CaptionCollector(path, imageRoot, options, new ErrorCollector(options.Policy));
        var split = options.Split ?? SplitFromFileName(path);
        switch (format)
        {
            case CaptionFormat.KarpathyJson:
                KarpathyCaptionReader.Read(collector);
                break;
            case CaptionFormat.CocoJson:
                CocoCaptionReader.Read(collector, split);
                break;
            case CaptionFormat.FlickrToken:
                FlickrCaptionReader.Read(collector, split);
                break;
            case CaptionFormat.Delimited:
                DelimitedCaptionReader.Read(collector, split);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), format, "Unknown caption format.");
        }
        var lists = options.SplitLists ?? (format == CaptionFormat.FlickrToken ? FlickrCaptionReader.DiscoverSplitLists(path) : new Dictionary<DatasetSplit, string>());
        if (lists.Count > 0)
            FlickrCaptionReader.ApplySplitLists(collector, lists);
        if (options.ImageRoot is null && options.CheckImagesExist && FindImageFolder(collector) is { } folder)
            collector.ImageRoot = folder;
        return collector.Build(format, lists);
    }

    /// <summary>
    /// When the first image is not beside the annotations but in exactly one sub-folder of theirs (the usual
    /// "captions.txt + images/" layout), that sub-folder; otherwise null (the default root stands, and missing
    /// files are reported as usual).
    /// </summary>
    private static string? FindImageFolder(CaptionCollector collector)
    {
        if (collector.FirstImage is not { } first) return null;
        string relative = first.Folder is null ? first.FileName : Path.Combine(first.Folder, first.FileName);
        if (File.Exists(Path.Combine(collector.ImageRoot, relative))) return null;
        var holders = Directory.EnumerateDirectories(collector.ImageRoot).Where(d => File.Exists(Path.Combine(d, relative))).Take(2).ToList();
        return holders.Count == 1 ? holders[0] : null;
    }

    /// <summary>"captions_train2014.json" → Train, "x_val.tsv" → Validation, … ; Unassigned when no split name is found.</summary>
    public static DatasetSplit SplitFromFileName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        foreach (var part in name.Split(['_', '-', '.', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            // "train2014" → "train": strip the trailing year COCO puts on its split names.
            var word = part.TrimEnd("0123456789".ToCharArray());
            if (DatasetFormatDetector.ParseSplit(word) is { } split)
                return split;
        }
        return DatasetSplit.Unassigned;
    }
}
