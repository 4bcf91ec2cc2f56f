// A folder per class: root/<label>/*.txt, one example per file, the file name (without extension) as id.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads a folder-per-class dataset.</summary>
internal static class FolderClassificationReader
{
    /// <summary>Largest example file read (16 MiB); a bigger one is reported, not loaded.</summary>
    public const long MaxExampleBytes = 16L << 20;

    public static void Read(string root, ErrorCollector errors, List<ClassificationExample> examples)
    {
        // Ordinal order of folders and files keeps example order identical on every file system.
        var classes = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new DatasetFormatException(new DatasetError(root, 0, "expected one sub-folder per class holding .txt files; found none"));
        foreach (var folder in classes)
        {
            var label = Path.GetFileName(folder);
            foreach (var file in Directory.GetFiles(folder, "*.txt").Order(StringComparer.Ordinal))
            {
                string text;
                byte[] bytes;
                try
                {
                    // Regular files only (a FIFO named .txt would block) and bounded: one file is one example.
                    bytes = Files.BoundedFile.ReadAllBytes(file, MaxExampleBytes, "example file");
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    errors.Report(file, 0, e.Message, e);
                    continue;
                }
                try
                {
                    text = SourceText.StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
                }
                catch (System.Text.DecoderFallbackException)
                {
                    var line = SourceText.FindInvalidUtf8Line(bytes) ?? 0;
                    errors.Report(file, line, "invalid UTF-8; expected UTF-8 text");
                    continue;
                }
                ExampleCollector.Add(file, 0, text, label, Path.GetFileNameWithoutExtension(file), errors, examples);
            }
        }
    }
}
