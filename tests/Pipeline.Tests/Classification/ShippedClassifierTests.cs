// The default sentiment classifier shipped in data/models/classifier (made by `pipeline train classifier` on
// SST-2, see docs/CLASSIFICATION.md): it loads through the validating TextClassifier.Load, is small enough
// for the repository, and gets unambiguous review sentences right that are not SST-2 sentences.
using Pipeline.Classification;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class ShippedClassifierTests
{
    private static string ModelDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "models", "classifier");
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")) && System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("data/models/classifier not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void LoadsIsSmallAndReadsPlainSentiment()
    {
        var directory = ModelDirectory();
        long bytes = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.True(bytes <= 10L << 20, $"the shipped classifier takes {bytes:N0} bytes; keep it at most 10 MB");
        Assert.False(System.IO.Directory.Exists(Path.Combine(directory, "checkpoints")), "ship the best model only, without the resume checkpoint");

        var classifier = TextClassifier.Load(directory);
        Assert.Equal(["negative", "positive"], classifier.Labels);
        string[] positive = ["a wonderful , moving film with superb performances .", "funny , smart and beautifully made .", "one of the best movies of the year ."];
        string[] negative = ["a dull , boring mess .", "the worst film i have seen in years , painfully bad .", "tedious and pointless ."];
        var predictions = classifier.PredictMany(positive.Concat(negative));
        Assert.All(predictions.Take(3), p => Assert.Equal("positive", p.Label));
        Assert.All(predictions.Skip(3), p => Assert.Equal("negative", p.Label));
    }
}
