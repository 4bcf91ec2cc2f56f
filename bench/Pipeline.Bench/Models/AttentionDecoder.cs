// The benchmark's "Show, Attend and Tell" decoder (Xu et al. 2015), exactly reference.py's Decoder:
//   h₀ = init_h(mean_r f), c₀ = init_c(mean_r f)                  (Linear 256→512, no tanh)
//   e = vᵀ tanh(W_f f + b_f + W_h h + b_h),  α = softmax_r(e),  z = Σ_r α_r f_r
//   β = σ(f_beta(h)),  (h, c) = LSTMCell([emb(y_t), β ⊙ z], (h, c))
//   logits = fc(dropout(stack_t h))                               (once over all B·T rows)
// AdditiveAttention holds W_f, W_h, b_h and v; PyTorch's att_feat Linear also has a bias b_f, kept
// here as `att_feat_bias` so both models have the same parameters and the same arithmetic.
// Shape key: B = batch, R = regions, F = feature size, E = embedding, H = hidden, A = attention, V = vocab, T = steps.
using Pipeline.Models.Nn;
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Models;

/// <summary>Attention LSTM decoder with teacher forcing, greedy and beam decoding.</summary>
internal sealed partial class AttentionDecoder : Module
{
    private readonly Generator dropoutGenerator = new(7);

    public AttentionDecoder(Generator generator)
    {
        Embedding = RegisterModule("embedding", new Embedding(BenchSizes.Vocab, BenchSizes.Embed, generator));
        InitH = RegisterModule("init_h", new Linear(BenchSizes.FeatureDim, BenchSizes.Hidden, generator));
        InitC = RegisterModule("init_c", new Linear(BenchSizes.FeatureDim, BenchSizes.Hidden, generator));
        Attention = RegisterModule("attention", new AdditiveAttention(BenchSizes.FeatureDim, BenchSizes.Hidden, BenchSizes.AttentionDim, generator));
        float bound = 1f / MathF.Sqrt(BenchSizes.FeatureDim);
        FeatureBias = RegisterParameter("att_feat_bias", Tensor.Rand(generator, [BenchSizes.AttentionDim], -bound, bound));   // (A)
        FBeta = RegisterModule("f_beta", new Linear(BenchSizes.Hidden, BenchSizes.FeatureDim, generator));
        Cell = RegisterModule("cell", new LSTMCell(BenchSizes.Embed + BenchSizes.FeatureDim, BenchSizes.Hidden, generator));
        Dropout = RegisterModule("dropout", new Dropout(BenchSizes.Dropout, dropoutGenerator));
        Fc = RegisterModule("fc", new Linear(BenchSizes.Hidden, BenchSizes.Vocab, generator));
    }

    public Embedding Embedding { get; }
    public Linear InitH { get; }
    public Linear InitC { get; }
    public AdditiveAttention Attention { get; }
    public Tensor FeatureBias { get; }
    public Linear FBeta { get; }
    public LSTMCell Cell { get; }
    public Dropout Dropout { get; }
    public Linear Fc { get; }

    /// <summary>W_f f + b_f for every region, once per image batch: (B, R, F) → (B, R, A).</summary>
    public Tensor ProjectFeatures(Tensor features) => Attention.ProjectFeatures(features) + FeatureBias;

    /// <summary>(h₀, c₀) from the mean feature, each (B, H).</summary>
    public (Tensor Hidden, Tensor Cell) InitialState(Tensor features)
    {
        var mean = Tensor.Mean(features, 1);                           // (B, F)
        return (InitH.Forward(mean), InitC.Forward(mean));
    }

    /// <summary>One decoding step from the embedded tokens (B, E); returns the new state and α (B, R).</summary>
    public (Tensor Hidden, Tensor Cell, Tensor Alpha) Step(Tensor features, Tensor projected, Tensor embedded, Tensor hidden, Tensor cell)
    {
        var (context, alpha) = Attention.Attend(projected, features, hidden);     // (B, F), (B, R)
        var gate = Tensor.Sigmoid(FBeta.Forward(hidden));                         // (B, F)
        var input = Tensor.Concat([embedded, gate * context], 1);                 // (B, E + F)
        var (h, c) = Cell.Forward(input, (hidden, cell));
        return (h, c, alpha);
    }

    /// <summary>
    /// Teacher forcing over <paramref name="stepTokens"/>[t] (B ids per step). Returns logits (B·T, V) in
    /// batch-major order and the stacked attention weights (B, T, R).
    /// </summary>
    public (Tensor Logits, Tensor Alphas) Forward(Tensor features, int[][] stepTokens)
    {
        int batch = features.Size(0), steps = stepTokens.Length;
        var projected = ProjectFeatures(features);                               // (B, R, A)
        var (h, c) = InitialState(features);
        var hiddens = new Tensor[steps];
        var alphas = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            var embedded = Embedding.Forward(stepTokens[t]);                      // (B, E)
            (h, c, alphas[t]) = Step(features, projected, embedded, h, c);
            hiddens[t] = h;
        }
        var stacked = Tensor.Stack(hiddens, 1);                                  // (B, T, H)
        var logits = Fc.Forward(Dropout.Forward(stacked).Reshape(batch * steps, BenchSizes.Hidden));  // (B·T, V)
        return (logits, Tensor.Stack(alphas, 1));                                // (B, T, R)
    }

    /// <summary>Cross-entropy over all B·T tokens + λ·mean_b Σ_r (1 − Σ_t α)² (doubly stochastic attention).</summary>
    public static Tensor CaptionLoss(Tensor logits, Tensor alphas, int[] targets)
    {
        var ce = Functional.CrossEntropy(logits, targets);
        var coverage = 1f - Tensor.Sum(alphas, 1);                               // (B, R)
        var penalty = Tensor.MeanAll(Tensor.Sum(Tensor.Square(coverage), 1));
        return ce + penalty * BenchSizes.AlphaRegularisation;
    }

    /// <summary>Greedy decoding of <see cref="BenchSizes.Steps"/> tokens per image (eval mode, no grad); (B, T) ids.</summary>
    public int[][] Greedy(Tensor features, int steps)
    {
        int batch = features.Size(0);
        var projected = ProjectFeatures(features);
        var (h, c) = InitialState(features);
        var token = new int[batch];
        Array.Fill(token, BenchSizes.StartToken);
        var output = new int[steps][];
        for (int t = 0; t < steps; t++)
        {
            (h, c, _) = Step(features, projected, Embedding.Forward(token), h, c);
            token = Tensor.Argmax(Fc.Forward(h), 1);                              // per-step projection (B, V) → (B)
            output[t] = token;
        }
        return output;
    }
}
