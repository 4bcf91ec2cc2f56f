// ML.NET entry point for image folders: ML.NET's own LoadRawImageBytes/LoadImages transforms want
// an IDataView with a path column, so this builds that view from a folder (label = sub-folder) or
// from a TSV/CSV listing, and offers the raw-bytes transform pre-wired to the right folder.
using Microsoft.ML;
using Microsoft.ML.Data;
using Pipeline.Preprocessing.Images;

namespace Pipeline.MLNet;

/// <summary>A row of an image listing: path plus an optional label/caption column.</summary>
public sealed class ImageFileRow
{
    /// <summary>Image path (absolute, or relative to the listing's image folder).</summary>
    [LoadColumn(0)]
    public string ImagePath { get; set; } = "";

    /// <summary>Label or caption text; for folders, the name of the immediate parent directory.</summary>
    [LoadColumn(1)]
    public string Label { get; set; } = "";
}

/// <summary>Builds ML.NET <see cref="IDataView"/>s over image files.</summary>
public static class ImageFolderDataView
{
    /// <summary>Name of the path column.</summary>
    public const string PathColumn = nameof(ImageFileRow.ImagePath);

    /// <summary>Name of the label column.</summary>
    public const string LabelColumn = nameof(ImageFileRow.Label);

    /// <summary>Name of the byte-vector column produced by <see cref="WithRawBytes"/>.</summary>
    public const string BytesColumn = "ImageBytes";

    /// <summary>Every image under <paramref name="folder"/> as rows (absolute ImagePath, Label = parent folder name), sorted by path.</summary>
    public static IDataView FromFolder(MLContext ml, string folder, bool recursive = true)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var rows = ImageFiles.List(folder, recursive)
            .Select(p => new ImageFileRow { ImagePath = p, Label = Path.GetFileName(Path.GetDirectoryName(p)) ?? "" })
            .ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// Reads a listing whose first column is an image path and second an optional label/caption;
    /// separator is tab for .tsv and comma otherwise unless given.
    /// </summary>
    public static IDataView FromListing(MLContext ml, string listingPath, bool hasHeader = true, char? separator = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (!File.Exists(listingPath))
            throw new FileNotFoundException($"Image listing '{listingPath}' does not exist.", listingPath);
        char sep = separator ?? (listingPath.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',');
        return ml.Data.LoadFromTextFile<ImageFileRow>(listingPath, separatorChar: sep, hasHeader: hasHeader, allowQuoting: true);
    }

    /// <summary>
    /// Appends ML.NET's <c>LoadRawImageBytes</c> (column <see cref="BytesColumn"/>); relative paths are resolved
    /// against <paramref name="imageFolder"/> (e.g. the listing's directory).
    /// </summary>
    public static IDataView WithRawBytes(MLContext ml, IDataView view, string? imageFolder = null) =>
        ml.Transforms.LoadRawImageBytes(BytesColumn, imageFolder, PathColumn).Fit(view).Transform(view);

    /// <summary>Reads the path column of <paramref name="view"/> in row order.</summary>
    public static IReadOnlyList<string> Paths(IDataView view) =>
        view.GetColumn<string>(PathColumn).ToList();
}
