// Entry point for classification datasets: picks the format (detected or forced), runs its reader and
// applies the error policy.

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Loads classification datasets from TSV/CSV, fastText, JSONL or a folder per class.</summary>
public static class ClassificationDatasetLoader
{
    /// <summary>
    /// Loads <paramref name="path"/> (a file, or a folder for <see cref="ClassificationFormat.Folder"/>). Throws
    /// <see cref="FileNotFoundException"/>/<see cref="DirectoryNotFoundException"/> when it is missing and
    /// <see cref="DatasetFormatException"/> at the first bad item under <see cref="ErrorPolicy.Fail"/>.
    /// </summary>
    public static ClassificationDataset Load(string path, ClassificationLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ClassificationLoadOptions();
        if (options.Format == ClassificationFormat.Folder && !Directory.Exists(path))
            throw new DirectoryNotFoundException($"Dataset folder not found: {path}");
        if (!Directory.Exists(path))
            SourceText.RequireFile(path);
        var format = options.Format == ClassificationFormat.Auto ? DatasetFormatDetector.DetectClassification(path) : options.Format;
        var errors = new ErrorCollector(options.Policy);
        var examples = new List<ClassificationExample>();
        switch (format)
        {
            case ClassificationFormat.Delimited:
                DelimitedClassificationReader.Read(path, options, errors, examples);
                break;
            case ClassificationFormat.FastText:
                FastTextReader.Read(path, errors, examples);
                break;
            case ClassificationFormat.Jsonl:
                JsonlClassificationReader.Read(path, options, errors, examples);
                break;
            case ClassificationFormat.Folder:
                FolderClassificationReader.Read(path, errors, examples);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), format, "Unknown classification format.");
        }
        return new ClassificationDataset(examples, format, errors.ToReport(examples.Count));
    }
}
