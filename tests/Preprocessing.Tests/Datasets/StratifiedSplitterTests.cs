// Tests for StratifiedSplitter: seeded, stratified, disjoint and covering splits and K-folds.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class StratifiedSplitterTests
{
    // 70 "a", 25 "b", 5 "c", interleaved.
    private static readonly string[] Labels = Enumerable.Range(0, 100).Select(i => i % 20 == 0 ? "c" : i % 4 == 1 ? "b" : "a").ToArray();

    private static Dictionary<string, int> Count(IEnumerable<int> indices)
        => indices.GroupBy(i => Labels[i]).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void TrainValidationIsStratifiedSeededAndCovering()
    {
        var counts = Count(Enumerable.Range(0, Labels.Length));
        var split = StratifiedSplitter.TrainValidation(Labels, 0.2, seed: 5);
        Assert.Empty(split.Train.Intersect(split.Validation));
        Assert.Equal(Enumerable.Range(0, Labels.Length), split.Train.Concat(split.Validation).Order());
        var validation = Count(split.Validation);
        Assert.Equal(20, split.Validation.Length);
        foreach (var (label, total) in counts)
            Assert.InRange(validation[label], total * 0.2 - 1, total * 0.2 + 1);
        Assert.Equal(split.Validation, StratifiedSplitter.TrainValidation(Labels, 0.2, seed: 5).Validation);
        Assert.NotEqual(split.Validation, StratifiedSplitter.TrainValidation(Labels, 0.2, seed: 6).Validation);
    }

    [Fact]
    public void SplitsADatasetIntoSubsets()
    {
        var examples = Labels.Select((label, i) => new ClassificationExample($"text {i}", label)).ToArray();
        var dataset = new ClassificationDataset(examples, ClassificationFormat.Delimited, new DatasetLoadReport(examples.Length, []));
        var (train, validation) = StratifiedSplitter.TrainValidation(dataset, 0.05, seed: 9);
        Assert.Equal(95, train.Examples.Count);
        Assert.Equal(5, validation.Examples.Count);
        Assert.Equal(["a", "b", "c"], train.Labels);
        Assert.Empty(train.Examples.Select(e => e.Text).Intersect(validation.Examples.Select(e => e.Text)));
    }

    [Fact]
    public void ThreeWaySplitSumsExactly()
    {
        var parts = StratifiedSplitter.Split(Labels, [0.8, 0.1, 0.1], seed: 1);
        Assert.Equal(Enumerable.Range(0, Labels.Length), parts.SelectMany(p => p).Order());
        Assert.Equal([80, 10, 10], parts.Select(p => p.Length));
        Assert.Equal(4, parts[0].Count(i => Labels[i] == "c")); // 5 "c": 4 train, the last one to valid or test
        Assert.Throws<ArgumentException>(() => StratifiedSplitter.Split(Labels, [0.5, 0.4], seed: 1));
    }

    [Fact]
    public void KFoldIsStratifiedDisjointAndCovering()
    {
        const int folds = 5;
        var result = StratifiedSplitter.KFold(Labels, folds, seed: 3);
        Assert.Equal(folds, result.Length);
        Assert.Equal(Enumerable.Range(0, Labels.Length), result.SelectMany(f => f.Validation).Order());
        foreach (var fold in result)
        {
            Assert.Empty(fold.Train.Intersect(fold.Validation));
            Assert.Equal(Labels.Length, fold.Train.Length + fold.Validation.Length);
            var counts = Count(fold.Validation);
            Assert.Equal(14, counts["a"]);
            Assert.Equal(5, counts["b"]);
            Assert.Equal(1, counts["c"]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplitter.KFold(Labels, 1, seed: 0));
    }
}
