// `pipeline prepare --data D`: decodes, orients, resizes and centre-crops every train/val image of a
// caption dataset once into memory-mapped uint8 shards (with the captions tokenized), keyed by a hash of
// the source files and settings. `train captioner` with the same data, size and cache folder then reuses
// the shards instead of decoding images every epoch.
using System.CommandLine;
using System.Diagnostics;
using Pipeline.Captioning;
using Pipeline.Models.Captioning;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Cli;

/// <summary><c>pipeline prepare</c>: builds the prepared-image cache of a caption dataset.</summary>
internal static class PrepareCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Caption dataset (Karpathy/COCO JSON, Flickr tokens, TSV/CSV).", Required = true };
        var images = new Option<string?>("--images") { Description = "Image folder (default: beside the dataset file)." };
        var format = CliOptions.Choice("--format", "Dataset format (default: detected from the file).", CaptionFormat.Auto);
        var size = new Option<int>("--size") { Description = "Square side the images are stored at (the model's input size).", DefaultValueFactory = _ => 64 };
        var cache = new Option<string?>("--cache") { Description = "Cache folder (default: DATA_FOLDER/.prepared, where train captioner looks)." };
        var minFrequency = new Option<int>("--min-count") { Description = "Words seen fewer times become <unk> (as in train captioner).", DefaultValueFactory = _ => 1 };
        var command = new Command("prepare", "Decode and resize a caption dataset once into memory-mapped shards for training.");
        foreach (var o in new Option[] { data, images, format, size, cache, minFrequency }) command.Options.Add(o);
        command.SetAction((parse, cancellationToken) =>
        {
            var defaults = new CaptionerConfig();
            var options = new CaptioningTrainingOptions
            {
                DataPath = parse.GetValue(data)!,
                ImageRoot = parse.GetValue(images),
                Format = format.Get(parse),
                CacheDirectory = parse.GetValue(cache),
                MinWordFrequency = parse.GetValue(minFrequency),
            };
            try
            {
                var clock = Stopwatch.StartNew();
                using var corpus = CaptionCorpus.Load(options, parse.GetValue(size), defaults.ImageMean, defaults.ImageStd, defaults.MaxCaptionLength, cancellationToken: cancellationToken);
                foreach (var (name, split) in new[] { ("train", corpus.Train), ("val", corpus.Validation) })
                {
                    Console.WriteLine($"{name}: {split.Shard.Count} images in {split.Shard.Path}");
                    foreach (var failure in split.Failures) Console.Error.WriteLine($"  skipped {failure}");
                }
                Console.WriteLine($"vocabulary: {corpus.Vocabulary.Count} words; {clock.Elapsed.TotalSeconds:F1}s");
                return Task.FromResult(corpus.Train.Failures.Count + corpus.Validation.Failures.Count > 0 ? PipelineCli.PartialExitCode : 0);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or DatasetFormatException)
            {
                Console.Error.WriteLine($"pipeline prepare: {PipelineCli.UserMessage(e)}");
                return Task.FromResult(PipelineCli.ErrorExitCode);
            }
        });
        return command;
    }
}
