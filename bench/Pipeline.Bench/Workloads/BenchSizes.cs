// The sizes of every benchmark configuration, copied from the constants of bench/reference/reference.py
// (see its README): both sides must do exactly the same work per step. The models themselves are the
// product's classes (configured from these sizes in the workloads), never copies.
namespace Pipeline.Bench.Workloads;

/// <summary>Shared benchmark dimensions (reference.py's module constants).</summary>
internal static class BenchSizes
{
    public const int Batch = 32;            // images per captioning batch
    public const int ImageSize = 128;       // input 3 × 128 × 128
    public const int Regions = 64;          // 8 × 8 encoder grid
    public const int FeatureDim = 256;      // encoder channels = attention feature size
    public const int Vocab = 5000;
    public const int Embed = 256;
    public const int Hidden = 512;          // decoder LSTMCell
    public const int AttentionDim = 256;
    public const int Steps = 20;            // caption tokens (teacher forcing and decoding)
    public const int PadToken = 0;          // the product's special ids (CaptionerConfig defaults)
    public const int StartToken = 2;
    public const int EndToken = 3;
    public const int Beam = 3;
    public const float Dropout = 0.5f;
    public const float AlphaRegularisation = 1f;

    public const int TextVocab = 20000;
    public const int TextEmbed = 128;
    public const int TextLength = 64;
    public const int TextBatchTrain = 64;
    public const int TextBatchInfer = 256;
    public const int TextClasses = 2;
    public const int CnnMaps = 100;
    public static readonly int[] CnnWidths = [3, 4, 5];
    public const int LstmHidden = 128;      // per direction
    public const int BiLstmAttentionDim = 256;

    /// <summary>
    /// Output bias of the end token on both sides: random weights would end a data-dependent subset of the captions
    /// early; with the end token suppressed every caption runs exactly <see cref="Steps"/> steps on both sides.
    /// </summary>
    public const float SuppressedEndBias = -1e4f;

    /// <summary>The encoder: the captioner's "small" preset, six conv3×3 + BN + ReLU layers (reference.py's ENC_CHANNELS).</summary>
    public const string EncoderPreset = "small";
}
