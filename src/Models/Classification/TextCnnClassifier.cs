// Convolutional sentence classifier of Kim (2014), "Convolutional Neural Networks for Sentence
// Classification":
//   x = embed(ids)                                     (B, T, E)    (two channels summed in multichannel mode)
//   c_h = ReLU(pool_t(conv_h(x)) + b_h)                (B, C)       one per filter width h (max: Collobert et al.
//                                                                   2011; k-max: Kalchbrenner et al. 2014 → (B, k·C))
//   z = dropout([c_h1; c_h2; ...])                     (B, F)       F = widths · C (· k)
//   logits = W z + b (+ NB n-gram logits)              (B, K)       ‖W_k‖₂ ≤ s enforced by ApplyConstraints;
//                                                                   the n-gram branch: NaiveBayesNgrams.cs
// Pooling runs before bias and ReLU: both are monotone per feature map, so max_t ReLU(c_t + b) = ReLU(max_t c_t + b)
// and the element-wise work shrinks from (B, T, C) to (B, C).
// Masking: a sequence of length L has max(L, h) − h + 1 windows of width h — sequences shorter than the widest
// filter are padded (internally, with the zero padding vector) so they still get one window — and pooling sees
// only those windows. With k-max pooling, slots beyond a short sequence's windows hold ReLU(b).
// Parameter names follow the usual PyTorch port: embedding.weight, embedding_static.weight, convs.{i}.weight
// (C, 1, h, E), convs.{i}.bias, fc.weight (K, F), fc.bias.
// Shape key: B = batch, T = time, E = embedding dim, C = feature maps per width, F = pooled features, K = classes.
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Classification;

/// <summary>Kim (2014) TextCNN: embedding → parallel convolutions → masked pooling over time → dropout → linear.</summary>
public sealed class TextCnnClassifier : TextClassifierModel
{
    private readonly TextConvolution[] convolutions;

    /// <summary>Builds the network for <paramref name="config"/> (architecture TextCnn); <paramref name="generator"/>
    /// initialises the weights and later draws the dropout masks.</summary>
    public TextCnnClassifier(ClassifierConfig config, Generator generator) : base(config, generator)
    {
        if (config.Architecture != ClassifierArchitecture.TextCnn)
            throw new ArgumentException($"TextCnnClassifier needs a TextCnn config, got {config.Architecture}.", nameof(config));
        var bank = RegisterModule("convs", new ModuleList());
        convolutions = new TextConvolution[config.FilterWidths.Length];
        for (int i = 0; i < convolutions.Length; i++)
            convolutions[i] = bank.Add(new TextConvolution(config.EmbeddingDim, config.FeatureMaps, config.FilterWidths[i], generator));
        int slots = config.CnnPooling == CnnPooling.KMax ? config.KMax : 1;
        FeatureCount = convolutions.Length * config.FeatureMaps * slots;
        Output = RegisterModule("fc", new Linear(FeatureCount, config.NumClasses, generator));
    }

    /// <summary>The convolution of each filter width, in config order.</summary>
    public IReadOnlyList<TextConvolution> Convolutions => convolutions;

    /// <summary>The output layer (K, F).</summary>
    public Linear Output { get; }

    /// <summary>Pooled features F fed to the output layer.</summary>
    public int FeatureCount { get; }

    /// <inheritdoc />
    public override ClassifierLogits ForwardParts(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets = null, TokenRows? ngramRows = null)
    {
        int slots = Config.CnnPooling == CnnPooling.KMax ? Config.KMax : 1;
        // Internal padding: every filter needs at least one window, and k-max needs k time steps.
        int padded = Math.Max(length, Math.Max(Config.MaxFilterWidth, slots));
        var ids = MaskIds(tokenIds, batchSize, length, lengths, padded);
        var x = Embed(ids, batchSize, padded, lengths);                                          // (B, T', E)
        var features = new Tensor[convolutions.Length];
        var windows = new int[batchSize];
        for (int i = 0; i < convolutions.Length; i++)
        {
            var conv = convolutions[i];
            for (int b = 0; b < batchSize; b++) windows[b] = conv.Windows(Math.Max(lengths[b], conv.Width));
            var responses = conv.Forward(x);                                            // (B, T', C)
            var pooled = slots == 1
                ? Functional.MaxOverTime(responses, windows)                            // (B, C)
                : Functional.KMaxOverTime(responses, slots, windows);                   // (B, k, C)
            features[i] = Tensor.Relu(pooled + conv.Bias).Reshape(batchSize, -1);      // (B, k·C)
        }
        var z = features.Length == 1 ? features[0] : Tensor.Concat(features, 1);       // (B, F)
        z = Functional.Dropout(z, Config.Dropout, DropoutGenerator, IsTraining);
        return WithNgramLogits(Output.Forward(z), ids, batchSize, padded, lengths, targets, ngramRows);      // (B, K) each
    }

    /// <summary>Rescales every output-layer row whose L2 norm exceeds <see cref="ClassifierConfig.MaxNorm"/> (Kim's s = 3).</summary>
    public override void ApplyConstraints()
    {
        if (Config.MaxNorm is { } s) MaxNormConstraint.Apply(Output.Weight, s, axis: 0);
    }

    /// <summary>PyTorch's ModuleList: children named "0", "1", … so keys read convs.0.weight.</summary>
    private sealed class ModuleList : Module
    {
        private int count;

        public T Add<T>(T module) where T : Module =>
            RegisterModule((count++).ToString(System.Globalization.CultureInfo.InvariantCulture), module);
    }
}
