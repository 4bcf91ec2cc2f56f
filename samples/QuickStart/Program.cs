// QuickStart: caption every image in a folder and classify the lines of a text file with the Pipeline
// NuGet packages — the whole application API in a few lines.
//
//   dotnet pack Pipeline.sln -c Release                 (writes artifacts/packages/*.nupkg)
//   dotnet run --project samples/QuickStart -- <captioner-dir> <image-folder> [<classifier-dir> <text-file>]
//
// Output: one tab-separated line per image (file name, caption) and per text line (label, confidence, text).
using Pipeline.Captioning;
using Pipeline.Classification;

if (args.Length is not (2 or 4))
{
    Console.Error.WriteLine("usage: QuickStart <captioner-dir> <image-folder> [<classifier-dir> <text-file>]");
    return 2;
}

var captioner = ImageCaptioner.Load(args[0]);
var images = Directory.EnumerateFiles(args[1]).Where(IsImage).Order(StringComparer.Ordinal).ToList();
foreach (var result in captioner.CaptionMany(images))
    Console.WriteLine($"{Path.GetFileName(result.Source)}\t{result.Caption}");

if (args.Length == 4)
{
    var classifier = TextClassifier.Load(args[2]);
    var lines = File.ReadLines(args[3]).Where(line => line.Trim().Length > 0).ToList();
    foreach (var (line, prediction) in lines.Zip(classifier.PredictMany(lines)))
        Console.WriteLine($"{prediction.Label}\t{prediction.Confidence:F4}\t{line}");
}
return 0;

static bool IsImage(string path) =>
    Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp" or ".gif" or ".webp";
