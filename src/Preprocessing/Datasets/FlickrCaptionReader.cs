// Flickr8k/Flickr30k token files ("1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress ...") and
// their split lists (Flickr_8k.trainImages.txt: one image file name per line).
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads Flickr token files and applies split lists.</summary>
internal static class FlickrCaptionReader
{
    public static void Read(CaptionCollector collector, DatasetSplit split)
    {
        foreach (var line in SourceText.ReadTextLines(collector.File, collector.Errors))
        {
            var tab = line.Text.IndexOf('\t');
            var hash = tab < 0 ? -1 : line.Text.LastIndexOf('#', tab);
            if (tab < 0 || hash <= 0)
            {
                collector.Errors.Report(collector.File, line.Number, "expected 'image.jpg#N<TAB>caption'");
                continue;
            }
            collector.Add(line.Text[..hash], null, split, new CaptionReference(line.Text[(tab + 1)..].Trim()), line.Number);
        }
    }

    /// <summary>
    /// The split lists beside a token file, as the Flickr8k distribution names them: <c>*trainImages.txt</c> → train,
    /// <c>*devImages.txt</c> or <c>*valImages.txt</c> → validation, <c>*testImages.txt</c> → test. A split with more
    /// than one candidate is ambiguous and raises <see cref="DatasetFormatException"/> naming them.
    /// </summary>
    public static IReadOnlyDictionary<DatasetSplit, string> DiscoverSplitLists(string tokenFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(tokenFile))!;
        var found = new Dictionary<DatasetSplit, string>();
        foreach (var (suffix, split) in new[] { ("trainImages.txt", DatasetSplit.Train), ("devImages.txt", DatasetSplit.Validation), ("valImages.txt", DatasetSplit.Validation), ("testImages.txt", DatasetSplit.Test) })
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*" + suffix).Order(StringComparer.Ordinal))
            {
                if (found.TryGetValue(split, out var other))
                    throw new DatasetFormatException(new DatasetError(tokenFile, 0, $"two {split} split lists beside it ({Path.GetFileName(other)}, {Path.GetFileName(file)}); name the one to use with --split-list"));
                found[split] = file;
            }
        }
        return found;
    }

    /// <summary>Applies Flickr-style split lists (one image name per line) to collected images.</summary>
    public static void ApplySplitLists(CaptionCollector collector, IReadOnlyDictionary<DatasetSplit, string> lists)
    {
        foreach (var (split, listFile) in lists)
        {
            foreach (var line in SourceText.ReadTextLines(listFile, collector.Errors))
            {
                var name = line.Text.Trim();
                if (!collector.TrySetSplit(name, split, $"{listFile}:{line.Number}"))
                    collector.Errors.Report(listFile, line.Number, $"split list names image '{name}', which has no caption in {collector.File}");
            }
        }
    }
}
