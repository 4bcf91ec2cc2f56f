// A tiny, seeded two-class corpus written to a temporary folder: "positive" texts mix positive cue
// words with shared filler words, "negative" texts negative cues with the same fillers, so both
// architectures can separate them in a few epochs. Plus small model settings that train in well
// under a second.
using Pipeline.Classification;
using Pipeline.Models.Classification;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Tests.Classification;

public sealed class TinyCorpus : IDisposable
{
    private static readonly string[] Positive = ["good", "great", "fine", "nice", "lovely", "superb"];
    private static readonly string[] Negative = ["bad", "awful", "poor", "nasty", "dreadful", "terrible"];
    private static readonly string[] Filler = ["the", "movie", "was", "a", "plot", "and", "acting", "really", "quite", "story"];

    public TinyCorpus(int perClass = 40, int seed = 7)
    {
        Directory = Path.Combine(Path.GetTempPath(), "pipeline-cls-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var random = new Random(seed);
        TrainPath = Write("train.tsv", perClass, random);
        ValidPath = Write("valid.tsv", perClass / 4, random);
    }

    public string Directory { get; }
    public string TrainPath { get; }
    public string ValidPath { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public static string Sentence(bool positive, Random random)
    {
        var cues = positive ? Positive : Negative;
        int length = random.Next(4, 12);
        var words = Enumerable.Range(0, length).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
        words.Insert(random.Next(words.Count + 1), cues[random.Next(cues.Length)]);
        words.Insert(random.Next(words.Count + 1), cues[random.Next(cues.Length)]);
        return string.Join(' ', words);
    }

    private string Write(string name, int perClass, Random random)
    {
        var lines = new List<string> { "label\ttext" };
        for (int i = 0; i < perClass; i++)
        {
            lines.Add("pos\t" + Sentence(true, random));
            lines.Add("neg\t" + Sentence(false, random));
        }
        var path = PathOf(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    public static ClassifierTrainingOptions SmallModel(ClassifierArchitecture architecture) => new(
        Architecture: architecture,
        EmbeddingDim: 16,
        HiddenSize: 8,
        FeatureMaps: 8,
        FilterWidths: [2, 3],
        Dropout: 0.1f,
        BatchSize: 8,
        LearningRate: 0.02);

    public ClassifierTrainingRequest Request(ClassifierArchitecture architecture, string outputName, int epochs = 6) => new(
        TrainPath: TrainPath,
        OutputDirectory: PathOf(outputName),
        Model: SmallModel(architecture),
        ValidPath: ValidPath,
        Preprocessing: new ClassifierPreprocessing(Preprocessing.Text.TextNormalizerOptions.Default, MaxLength: 32, MinFrequency: 1),
        Epochs: epochs,
        Patience: 0,
        Seed: 3);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
