// textcnn_train / textcnn_infer / bilstm_train / bilstm_infer: the product's two text classifiers
// (TextCnnClassifier, BiRnnClassifier) on random token ids (batch 64 for training, 256 for inference,
// length 64) with cross-entropy over 2 classes.
using Pipeline.Models.Autograd;
using Pipeline.Models.Classification;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Text classifier train step or inference batch.</summary>
internal sealed class TextWorkload : IWorkload
{
    private readonly Module model;
    private readonly Func<int[], int, int, Tensor> forward;
    private readonly TrainStep? train;
    private readonly int[] tokens;
    private readonly int batch;

    public TextWorkload(string name)
    {
        Name = name;
        var generator = new Generator(0);
        TextClassifierModel classifier;
        if (name.StartsWith("textcnn", StringComparison.Ordinal))
        {
            // The product's classifier (what `pipeline train classifier --arch textcnn` builds), configured as the
            // reference's TextCNN; Kim's max-norm constraint is off because the reference has none.
            classifier = new TextCnnClassifier(new ClassifierConfig(ClassifierArchitecture.TextCnn, BenchSizes.TextVocab, BenchSizes.TextClasses)
            {
                EmbeddingDim = BenchSizes.TextEmbed, FeatureMaps = BenchSizes.CnnMaps, FilterWidths = BenchSizes.CnnWidths,
                Dropout = BenchSizes.Dropout, MaxNorm = null,
            }, generator);
        }
        else
        {
            // The product's recurrent classifier (`pipeline train classifier --arch birnn`), configured as the
            // reference's BiLSTM with attention pooling.
            classifier = new BiRnnClassifier(new ClassifierConfig(ClassifierArchitecture.BiRnn, BenchSizes.TextVocab, BenchSizes.TextClasses)
            {
                EmbeddingDim = BenchSizes.TextEmbed, RnnCell = RnnCellType.Lstm, RnnLayers = 1, HiddenSize = BenchSizes.LstmHidden,
                RnnPooling = RnnPooling.Attention, AttentionSize = BenchSizes.BiLstmAttentionDim, Dropout = BenchSizes.Dropout,
            }, generator);
        }
        model = classifier;
        var fullLengths = new Dictionary<int, int[]>();
        forward = (ids, b, t) =>
        {
            // Every synthetic document fills the whole length (the reference has no lengths, so no masking either).
            if (!fullLengths.TryGetValue(b, out var lengths)) { lengths = new int[b]; Array.Fill(lengths, t); fullLengths[b] = lengths; }
            return classifier.Forward(ids, b, t, lengths);
        };
        bool training = name.EndsWith("_train", StringComparison.Ordinal);
        batch = training ? BenchSizes.TextBatchTrain : BenchSizes.TextBatchInfer;
        tokens = new int[batch * BenchSizes.TextLength];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = generator.NextInt(BenchSizes.TextVocab);
        if (training)
        {
            var labels = new int[batch];
            for (int i = 0; i < labels.Length; i++) labels[i] = generator.NextInt(BenchSizes.TextClasses);
            train = new TrainStep(model, () => Functional.CrossEntropy(forward(tokens, batch, BenchSizes.TextLength), labels));
        }
        else model.Eval();
    }

    public string Name { get; }
    public long ParameterCount => model.ParameterCount();
    public TrainStep? Train => train;

    public void Step()
    {
        if (train is not null) { train.Run(); return; }
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        forward(tokens, batch, BenchSizes.TextLength);
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => train is not null
        ? new Dictionary<string, double>()
        : new Dictionary<string, double> { ["docs_per_s"] = batch / (medianMs / 1000) };
}
