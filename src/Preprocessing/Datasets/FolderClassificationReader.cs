// A folder per class: root/<label>/*.txt, one example per file, the file name (without extension) as id.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads a folder-per-class dataset.</summary>
internal static class FolderClassificationReader
{
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
                try
                {
                    text = SourceText.StrictUtf8.GetString(File.ReadAllBytes(file)).TrimStart('\uFEFF');
                }
                catch (System.Text.DecoderFallbackException)
                {
                    var line = SourceText.FindInvalidUtf8Line(File.ReadAllBytes(file)) ?? 0;
                    errors.Report(file, line, "invalid UTF-8; expected UTF-8 text");
                    continue;
                }
                ExampleCollector.Add(file, 0, text, label, Path.GetFileNameWithoutExtension(file), errors, examples);
            }
        }
    }
}
