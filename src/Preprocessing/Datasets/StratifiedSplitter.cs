// Seeded stratified splits: each class is shuffled on its own and cut in the requested proportions, so
// rare classes appear in every part. K-fold assigns folds round-robin across classes, which keeps fold
// sizes within one of each other and every index in exactly one validation fold.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>One train/validation pair of index sets.</summary>
/// <param name="Train">Training indices (ascending).</param>
/// <param name="Validation">Validation indices (ascending).</param>
public sealed record SplitIndices(int[] Train, int[] Validation);

/// <summary>Stratified, seeded splits over a list of labels.</summary>
public static class StratifiedSplitter
{
    /// <summary>
    /// Splits indices 0..labels.Count-1 into parts with the given <paramref name="fractions"/> (summing to 1).
    /// Classes are shuffled one by one and laid end to end; each index then goes to the part furthest below its
    /// target share so far. Rounding per class alone would let the errors add up (80/11/9 instead of 80/10/10);
    /// this way every class is within one item of its share and the part sizes are exact to within one.
    /// </summary>
    public static int[][] Split(IReadOnlyList<string> labels, IReadOnlyList<double> fractions, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Count == 0 || fractions.Any(f => f < 0 || double.IsNaN(f)) || Math.Abs(fractions.Sum() - 1) > 1e-9)
            throw new ArgumentException("Fractions must be non-negative and sum to 1.", nameof(fractions));
        var parts = Enumerable.Range(0, fractions.Count).Select(_ => new List<int>()).ToArray();
        var random = new Random(seed);
        var placed = 0;
        foreach (var members in ByClass(labels))
        {
            random.Shuffle(members);
            foreach (var index in members)
            {
                placed++;
                var best = 0;
                var bestDeficit = double.NegativeInfinity;
                for (var p = 0; p < parts.Length; p++)
                {
                    var deficit = fractions[p] * placed - parts[p].Count;
                    if (deficit > bestDeficit + 1e-12)
                        (best, bestDeficit) = (p, deficit);
                }
                parts[best].Add(index);
            }
        }
        return parts.Select(part => part.Order().ToArray()).ToArray();
    }

    /// <summary>A stratified train/validation split with <paramref name="validationFraction"/> of each class in validation.</summary>
    public static SplitIndices TrainValidation(IReadOnlyList<string> labels, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Must be in (0, 1).");
        var parts = Split(labels, [1 - validationFraction, validationFraction], seed);
        return new SplitIndices(parts[0], parts[1]);
    }

    /// <summary>The stratified train/validation split applied to a dataset.</summary>
    public static (ClassificationDataset Train, ClassificationDataset Validation) TrainValidation(ClassificationDataset dataset, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var split = TrainValidation(dataset.Examples.Select(e => e.Label).ToArray(), validationFraction, seed);
        return (dataset.Subset(split.Train), dataset.Subset(split.Validation));
    }

    /// <summary>
    /// K stratified folds: fold k validates on its part and trains on the rest. Validation parts are disjoint
    /// and together cover every index once.
    /// </summary>
    public static SplitIndices[] KFold(IReadOnlyList<string> labels, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (folds < 2 || folds > labels.Count)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"Must be in [2, {labels.Count}] (the number of examples).");
        var assignment = new int[labels.Count];
        var random = new Random(seed);
        // The round-robin position carries over between classes so small classes do not all land in fold 0.
        var next = 0;
        foreach (var members in ByClass(labels))
        {
            random.Shuffle(members);
            foreach (var index in members)
                assignment[index] = next++ % folds;
        }
        var result = new SplitIndices[folds];
        for (var k = 0; k < folds; k++)
        {
            var validation = Enumerable.Range(0, labels.Count).Where(i => assignment[i] == k).ToArray();
            var train = Enumerable.Range(0, labels.Count).Where(i => assignment[i] != k).ToArray();
            result[k] = new SplitIndices(train, validation);
        }
        return result;
    }

    // Classes in ordinal order and members in index order: the only randomness is the seeded shuffle.
    private static IEnumerable<int[]> ByClass(IReadOnlyList<string> labels)
        => Enumerable.Range(0, labels.Count)
            .GroupBy(i => labels[i], StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => group.ToArray());
}
