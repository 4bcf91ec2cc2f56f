// TEMPORARY stand-in for the classifier models being written on branch cls-core, with the agreed API,
// so the application side compiles and runs end to end meanwhile. Deleted when cls-core is merged.
// Model: mean of token embeddings → linear (fastText-like bag of embeddings).
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Classification;

/// <summary>Classifier family.</summary>
public enum ClassifierArchitecture { /// <summary>CNN.</summary>
    TextCnn, /// <summary>RNN.</summary>
    BiRnn }

/// <summary>Embedding regime.</summary>
public enum EmbeddingMode { /// <summary>r.</summary>
    Rand, /// <summary>s.</summary>
    Static, /// <summary>n.</summary>
    NonStatic, /// <summary>m.</summary>
    Multichannel }

/// <summary>RNN cell.</summary>
public enum RecurrentCellKind { /// <summary>l.</summary>
    Lstm, /// <summary>g.</summary>
    Gru }

/// <summary>Pooling.</summary>
public enum SequencePoolingKind { /// <summary>m.</summary>
    Max, /// <summary>a.</summary>
    Mean, /// <summary>l.</summary>
    Last, /// <summary>at.</summary>
    Attention }

/// <summary>Config.</summary>
public sealed record ClassifierConfig(
    ClassifierArchitecture Architecture = ClassifierArchitecture.TextCnn,
    int VocabularySize = 100,
    int EmbeddingDim = 64,
    EmbeddingMode EmbeddingMode = EmbeddingMode.Rand,
    int ClassCount = 2,
    float Dropout = 0.5f,
    int[]? FilterWidths = null,
    int FeatureMaps = 100,
    float MaxNorm = 3f,
    RecurrentCellKind Cell = RecurrentCellKind.Lstm,
    int Layers = 1,
    int HiddenSize = 128,
    SequencePoolingKind Pooling = SequencePoolingKind.Max,
    float[]? ClassWeights = null);

/// <summary>Model.</summary>
public sealed class TextClassifierModel : Module
{
    private readonly Embedding embedding;
    private readonly Linear output;

    /// <summary>Config.</summary>
    public ClassifierConfig Config { get; }

    private TextClassifierModel(ClassifierConfig config, Generator generator)
    {
        Config = config;
        embedding = new Embedding(config.VocabularySize, config.EmbeddingDim, generator, 0);
        output = new Linear(config.EmbeddingDim, config.ClassCount, generator);
        RegisterModule("embedding", embedding);
        RegisterModule("output", output);
    }

    /// <summary>Create.</summary>
    public static TextClassifierModel Create(ClassifierConfig config, Generator generator) => new(config, generator);

    /// <summary>Forward.</summary>
    public Tensor Forward(int[] tokenIds, int batchSize, int length, int[] lengths)
    {
        var e = embedding.Forward(tokenIds, [batchSize, length]);          // (B, T, D)
        var sum = Tensor.Sum(e, 1);                                         // (B, D)
        var inv = new float[batchSize];
        for (int b = 0; b < batchSize; b++) inv[b] = 1f / Math.Max(1, lengths[b]);
        var mean = sum * Tensor.FromArray(inv, batchSize, 1);
        return output.Forward(mean);
    }

    /// <summary>Loss.</summary>
    public Tensor Loss(Tensor logits, int[] targets) => Functional.CrossEntropy(logits, targets);

    /// <summary>Constraints.</summary>
    public void ApplyConstraints() { }

    /// <summary>Pretrained.</summary>
    public void LoadPretrained(float[] matrix, int rows, int dims) => embedding.LoadPretrained(Tensor.FromArray(matrix, rows, dims));
}
