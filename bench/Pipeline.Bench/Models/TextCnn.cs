// The benchmark's TextCNN (Kim 2014), as reference.py's TextCNN: Embedding(20000, 128) → Conv1d(128→100,
// width w, bias, no padding) for w = 3, 4, 5 → ReLU → max over time → concat (300) → dropout 0.5 →
// Linear(300→2).
// Shape key: B = batch, T = tokens, E = embedding, M = feature maps, L = conv output length.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Models;

/// <summary>Convolutional sentence classifier.</summary>
internal sealed class TextCnn : Module
{
    private readonly Embedding embedding;
    private readonly Conv1d[] convs;
    private readonly Dropout dropout;
    private readonly Linear fc;
    private readonly Dictionary<(int Batch, int Length), int[]> lengthCache = [];

    public TextCnn(Generator generator)
    {
        embedding = RegisterModule("embedding", new Embedding(BenchSizes.TextVocab, BenchSizes.TextEmbed, generator));
        convs = new Conv1d[BenchSizes.CnnWidths.Length];
        for (int i = 0; i < convs.Length; i++)
            convs[i] = RegisterModule($"conv{i}", new Conv1d(new Conv1dOptions(BenchSizes.TextEmbed, BenchSizes.CnnMaps, BenchSizes.CnnWidths[i]), generator));
        dropout = RegisterModule("dropout", new Dropout(BenchSizes.Dropout, new Generator(11)));
        fc = RegisterModule("fc", new Linear(BenchSizes.CnnMaps * convs.Length, BenchSizes.TextClasses, generator));
    }

    /// <summary>Token ids (B·T, row-major) → logits (B, 2).</summary>
    public Tensor Forward(int[] tokens, int batch, int length)
    {
        var x = embedding.Forward(tokens, [batch, length]).Transpose(1, 2);      // (B, E, T)
        var pooled = new Tensor[convs.Length];
        for (int i = 0; i < convs.Length; i++)
        {
            var maps = Tensor.Relu(convs[i].Forward(x));                          // (B, M, L)
            pooled[i] = Functional.MaxOverTime(maps, FullLengths(batch, maps.Size(2)), SequenceLayout.BatchChannelsTime);  // (B, M)
        }
        return fc.Forward(dropout.Forward(Tensor.Concat(pooled, 1)));             // (B, 2)
    }

    // Every synthetic document fills the whole length, so every position takes part in the max.
    private int[] FullLengths(int batch, int length)
    {
        if (!lengthCache.TryGetValue((batch, length), out var lengths))
        {
            lengths = new int[batch];
            Array.Fill(lengths, length);
            lengthCache[(batch, length)] = lengths;
        }
        return lengths;
    }
}
