// Long texts: the network reads the first MaxLength tokens of each text, the NB n-gram branch up to
// NgramMaxLength (ClassifierPreprocessing). Checked on the encoded corpus (both truncation sides), on the
// saved preprocessing (a file without the setting keeps meaning MaxLength), and end to end: a class decided
// only by a word past the network's length is learned through the branch, and only when the branch may read it.
using System.Text.Json.Nodes;
using Pipeline.Classification;
using Pipeline.Models.Classification;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class LongTextNgramTests
{
    private static readonly string[] Words = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11"];

    private static TextEncoder Encoder(int maxLength, int? ngramMaxLength, TruncationSide side = TruncationSide.End) =>
        TextEncoder.Fit([string.Join(' ', Words)], new ClassifierPreprocessing(new TextNormalizerOptions(), maxLength, side, MinFrequency: 1, NgramMaxLength: ngramMaxLength),
            TokenizerSpec.Word());

    [Theory]
    [InlineData(TruncationSide.End)]
    [InlineData(TruncationSide.Start)]
    public void NetworkSeesMaxLength_BranchSeesEveryKeptToken(TruncationSide side)
    {
        var encoder = Encoder(maxLength: 4, ngramMaxLength: 10, side);
        Assert.Equal(10, encoder.Preprocessing.EncodedLength);
        var examples = new[] { new ClassificationExample(string.Join(' ', Words), "a", Source: "test", Line: 1), new ClassificationExample("w1 w2", "b", Source: "test", Line: 2) };
        var labels = LabelMap.Fit(examples.Select(e => e.Label));
        var corpus = EncodedCorpus.Encode(examples, encoder, labels);

        int[] Ids(IEnumerable<string> words) => words.Select(encoder.Vocabulary.GetId).ToArray();
        var kept = side == TruncationSide.End ? Words[..10] : Words[^10..];     // what the encoder keeps of the 12 words
        var seen = side == TruncationSide.End ? kept[..4] : kept[^4..];         // what the network reads of those
        Assert.Equal(Ids(kept), corpus.Tokens[0]);
        Assert.Equal(Ids(seen), corpus.NetworkTokens(0));
        Assert.Equal([4, 2], corpus.Lengths());

        var batch = corpus.Pad([0, 1]);
        Assert.Equal((2, 4), (batch.BatchSize, batch.Length));
        Assert.Equal(Ids(seen), batch.Ids[..4]);
        Assert.Equal([4, 2], batch.Lengths);

        var rows = corpus.NgramRows([1, 0]);
        Assert.Equal(Ids(["w1", "w2"]), rows.Row(0).ToArray());
        Assert.Equal(Ids(kept), rows.Row(1).ToArray());
    }

    [Fact]
    public void SavedPreprocessing_WithoutTheSetting_KeepsMeaningMaxLength()
    {
        var withSetting = new ClassifierPreprocessing(new TextNormalizerOptions(), MaxLength: 64, NgramMaxLength: 1024);
        var loaded = ClassifierPreprocessing.FromJson(withSetting.ToJson(), "test.json");
        Assert.Equal((64, 1024, 1024), (loaded.MaxLength, loaded.NgramMaxLength, loaded.EncodedLength));

        // A preprocessing.json written before the setting existed has no such field at all.
        var older = JsonNode.Parse(withSetting.ToJson())!.AsObject();
        Assert.True(older.Remove(nameof(ClassifierPreprocessing.NgramMaxLength)));
        var olderLoaded = ClassifierPreprocessing.FromJson(older.ToJsonString(), "old.json");
        Assert.Null(olderLoaded.NgramMaxLength);
        Assert.Equal((64, 64), (olderLoaded.MaxLength, olderLoaded.EncodedLength));
        Assert.Throws<InvalidDataException>(() => ClassifierPreprocessing.FromJson(withSetting.ToJson().Replace("1024", "0"), "bad.json"));
    }

    [Fact]
    public void AClassDecidedPastTheNetworksLength_IsLearnedThroughTheBranch_OnlyWhenItMayReadThatFar()
    {
        // Each text: 10 shared filler words, then the word that decides the class; the network reads 6 tokens.
        var directory = Path.Combine(Path.GetTempPath(), "pipeline-cls-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var random = new Random(5);
            string Write(string name, int perClass)
            {
                var lines = new List<string> { "label\ttext" };
                for (int i = 0; i < perClass; i++)
                    foreach (var (label, cue) in new[] { ("pos", "good"), ("neg", "bad") })
                        lines.Add($"{label}\t{string.Join(' ', Enumerable.Range(0, 10).Select(_ => Words[random.Next(Words.Length)]))} {cue}");
                var path = Path.Combine(directory, name);
                File.WriteAllLines(path, lines);
                return path;
            }
            var train = Write("train.tsv", 40);
            var valid = Write("valid.tsv", 20);
            double Accuracy(int? ngramMaxLength, string name)
            {
                var request = new ClassifierTrainingRequest(train, Path.Combine(directory, name), TinyCorpus.SmallModel(ClassifierArchitecture.TextCnn), valid,
                    Preprocessing: new ClassifierPreprocessing(TextNormalizerOptions.Default, MaxLength: 6, MinFrequency: 1, NgramMaxLength: ngramMaxLength),
                    Epochs: 6, Patience: 0, Seed: 3);
                var result = ClassifierExperiment.Run(request);
                // The saved model reads as far as it was trained to: its predictions agree with the validation score.
                var classifier = TextClassifier.Load(request.OutputDirectory);
                Assert.Equal(ngramMaxLength ?? 6, ClassifierDirectory.LoadEncoder(request.OutputDirectory).Preprocessing.EncodedLength);
                var predicted = classifier.PredictMany(File.ReadLines(valid).Skip(1).Select(l => l.Split('\t')[1]));
                var truth = File.ReadLines(valid).Skip(1).Select(l => l.Split('\t')[0]).ToArray();
                Assert.Equal(result.Training!.BestMetric!.Value, predicted.Zip(truth).Count(p => p.First.Label == p.Second) / (double)truth.Length, 6);
                return result.Training.BestMetric.Value;
            }
            double reading = Accuracy(32, "full"), blind = Accuracy(null, "truncated");
            Assert.True(reading >= 0.95, $"with the branch reading whole texts, validation accuracy {reading}");
            Assert.True(blind <= 0.75, $"with nothing past 6 tokens to go on, validation accuracy {blind} (expected near chance)");
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
