// The in-memory form of an image-captioning dataset, whatever file format it came from.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>One reference caption: the raw sentence and, when the source had them, its pre-computed tokens.</summary>
/// <param name="Raw">The caption as written.</param>
/// <param name="Tokens">Tokens from the source file (Karpathy JSON), or null.</param>
public sealed record CaptionReference(string Raw, IReadOnlyList<string>? Tokens = null);

/// <summary>An image and its reference captions.</summary>
/// <param name="FileName">The image's file name as written in the annotations.</param>
/// <param name="Path">The image's path resolved against the image root.</param>
/// <param name="Split">Which split the image belongs to.</param>
/// <param name="Captions">Reference captions, in file order.</param>
/// <param name="Id">The image's numeric id where the format has one (COCO "id", Karpathy "cocoid"/"imgid"); COCO results files refer to it.</param>
public sealed record CaptionImage(string FileName, string Path, DatasetSplit Split, IReadOnlyList<CaptionReference> Captions, string? Id = null);

/// <summary>A loaded captioning dataset plus the report of what was skipped.</summary>
/// <param name="Images">Images in file order.</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="Report">Counts and skipped items.</param>
public sealed record CaptionDataset(IReadOnlyList<CaptionImage> Images, CaptionFormat Format, DatasetLoadReport Report)
{
    /// <summary>
    /// Images the annotations name but that were left out for having no valid caption (file name → where they were declared),
    /// so a consumer can say "this image has no reference caption" instead of "unknown image".
    /// </summary>
    public IReadOnlyDictionary<string, string> ImagesWithoutCaptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Images of one split.</summary>
    public IEnumerable<CaptionImage> InSplit(DatasetSplit split) => Images.Where(image => image.Split == split);

    /// <summary>Total number of captions over all images.</summary>
    public int CaptionCount => Images.Sum(image => image.Captions.Count);

    /// <summary>The folder image names were resolved against (given, or found beside the annotations).</summary>
    public string ImageRoot { get; init; } = "";

    /// <summary>The split list files applied (given, or found beside a Flickr token file), per split.</summary>
    public IReadOnlyDictionary<DatasetSplit, string> SplitLists { get; init; } = new Dictionary<DatasetSplit, string>();
}

/// <summary>Immutable settings for <see cref="CaptionDatasetLoader"/>.</summary>
/// <param name="ImageRoot">Folder image paths are resolved against; defaults to the annotation file's folder, or the one sub-folder of it that holds the images.</param>
/// <param name="Format">Force a format instead of detecting it.</param>
/// <param name="Policy">What to do with bad items.</param>
/// <param name="CheckImagesExist">Report captions whose image file is missing (per policy).</param>
/// <param name="Split">Split for formats that carry none (COCO, TSV, Flickr without split lists); null: from the file name, else Unassigned.</param>
/// <param name="SplitLists">Flickr-style split list files (one image file name per line) per split; null for a Flickr token file means the lists found beside it (<c>*trainImages.txt</c>, <c>*devImages.txt</c>, <c>*testImages.txt</c>).</param>
public sealed record CaptionLoadOptions(
    string? ImageRoot = null,
    CaptionFormat Format = CaptionFormat.Auto,
    ErrorPolicy Policy = ErrorPolicy.Fail,
    bool CheckImagesExist = true,
    DatasetSplit? Split = null,
    IReadOnlyDictionary<DatasetSplit, string>? SplitLists = null);
