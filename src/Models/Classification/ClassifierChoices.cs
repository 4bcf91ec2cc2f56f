// The discrete choices of a text classifier (see ClassifierConfig). Every enum is written to config.json
// by name, so a saved model's configuration stays readable and survives reordering of the members.
//   EmbeddingMode follows Kim (2014), "Convolutional Neural Networks for Sentence Classification", §3.1:
//   CNN-rand, CNN-static, CNN-non-static and CNN-multichannel.
using System.Text.Json.Serialization;

namespace Pipeline.Models.Classification;

/// <summary>Which network maps token ids to class logits.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassifierArchitecture>))]
public enum ClassifierArchitecture
{
    /// <summary>Kim (2014) convolutional network: parallel filter widths, max-over-time pooling.</summary>
    TextCnn,

    /// <summary>Bidirectional LSTM/GRU with last-state, mean, max or attention pooling.</summary>
    BiRnn,
}

/// <summary>How the word vectors are initialised and trained (Kim 2014, §3.1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmbeddingMode>))]
public enum EmbeddingMode
{
    /// <summary>Randomly initialised, trained with the model (CNN-rand).</summary>
    Rand,

    /// <summary>Pre-trained vectors kept frozen (CNN-static).</summary>
    Static,

    /// <summary>Pre-trained vectors fine-tuned with the model (CNN-non-static).</summary>
    NonStatic,

    /// <summary>Two tables from the same vectors, one frozen and one fine-tuned; their contributions are summed (CNN-multichannel).</summary>
    Multichannel,
}

/// <summary>Pooling over time of the TextCNN feature maps.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CnnPooling>))]
public enum CnnPooling
{
    /// <summary>Max over time (Collobert et al. 2011): one value per feature map.</summary>
    Max,

    /// <summary>k-max pooling (Kalchbrenner et al. 2014): the k largest values per map, in time order.</summary>
    KMax,
}

/// <summary>Recurrent cell of the BiRNN classifier.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RnnCellType>))]
public enum RnnCellType
{
    /// <summary>Long short-term memory (Hochreiter and Schmidhuber 1997).</summary>
    Lstm,

    /// <summary>Gated recurrent unit (Cho et al. 2014).</summary>
    Gru,
}

/// <summary>How the BiRNN's per-step outputs become one sentence vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RnnPooling>))]
public enum RnnPooling
{
    /// <summary>Final forward state concatenated with the backward state at t = 0.</summary>
    Last,

    /// <summary>Mean of the outputs over each sequence's valid steps.</summary>
    Mean,

    /// <summary>Element-wise max of the outputs over each sequence's valid steps.</summary>
    Max,

    /// <summary>Learned attention-weighted average (Yang et al. 2016).</summary>
    Attention,
}

/// <summary>
/// How the NB n-gram branch's sum over the n-grams present in a text is normalised (NaiveBayesNgrams.cs), named
/// after the norm of the text's binary n-gram vector x̂ it divides by, as ML.NET's text featurizer names its
/// normalisation. With n table n-grams present, ‖x̂‖₂ = √n and ‖x̂‖₁ = n.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<NgramNormalization>))]
public enum NgramNormalization
{
    /// <summary>The plain sum: the branch's logits grow with the number of n-grams (long documents get huge logits).</summary>
    None,

    /// <summary>Divided by √n: an L2-normalised binary bag of n-grams.</summary>
    L2,

    /// <summary>Divided by n: the mean over the n-grams present.</summary>
    L1,
}
