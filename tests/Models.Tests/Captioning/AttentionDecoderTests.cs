// The decoder's training loss: finite-difference gradients (features and every parameter, including the
// doubly-stochastic term), a forward check against a naive double-precision implementation of the
// paper's equations, masking of finished captions, and the baseline (no-attention) variant.
// Shape key: N = images, M = captions, R = regions, F = feature dims, V = vocabulary, H = hidden size.
using Pipeline.Models.Captioning;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Captioning;

public sealed class AttentionDecoderTests
{
    private const int Vocab = 7, Regions = 3, FeatureSize = 3;

    private static CaptionerConfig TinyDecoderConfig(bool useAttention = true, float lambda = 1f) => new()
    {
        ImageSize = 16,
        VocabularySize = Vocab,
        EmbeddingDim = 3,
        HiddenSize = 4,
        AttentionDim = 3,
        Dropout = 0f,
        UseAttention = useAttention,
        DoublyStochasticLambda = lambda,
    };

    // Captions of different lengths (one ends early, so masking matters); images 0, 1, 1.
    private static readonly int[][] Captions = [[2, 4, 5, 6, 3], [2, 6, 3], [2, 5, 4, 3]];
    private static readonly int[] ImageOfCaption = [0, 1, 1];

    private static (AttentionDecoder Decoder, Tensor Features) Build(ulong seed, bool useAttention = true, float lambda = 1f)
    {
        var generator = new Generator(seed);
        var decoder = new AttentionDecoder(TinyDecoderConfig(useAttention, lambda), FeatureSize, generator);
        var features = GradCheck.Param(generator, 1f, 2, Regions, FeatureSize);   // (N, R, F)
        return (decoder, features);
    }

    [Theory]
    [InlineData(true, 1f)]
    [InlineData(true, 0f)]
    [InlineData(false, 1f)]
    public void GradientsMatchFiniteDifferences(bool useAttention, float lambda)
    {
        var (decoder, features) = Build(21, useAttention, lambda);
        var generator = new Generator(1);
        var inputs = new[] { features }.Concat(decoder.Parameters()).ToArray();
        GradCheck.Check(_ => decoder.Loss(features, ImageOfCaption, Captions, generator).Loss, inputs);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LossMatchesNaiveReference(bool useAttention)
    {
        var (decoder, features) = Build(22, useAttention, lambda: 0.7f);
        var result = decoder.Loss(features, ImageOfCaption, Captions, new Generator(1));
        var (crossEntropy, penalty, tokens) = NaiveLoss(decoder, features, useAttention, 0.7);
        Assert.Equal(tokens, result.Tokens);
        GradCheck.AssertClose([(float)crossEntropy], [(float)result.CrossEntropy], 1e-5f, 1e-5f);
        GradCheck.AssertClose([(float)penalty], [(float)result.AttentionPenalty], 1e-5f, 1e-5f);
        GradCheck.AssertClose([(float)(crossEntropy + penalty)], [result.Loss.Item()], 1e-5f, 1e-5f);
        if (useAttention) Assert.True(penalty > 1e-3, "the penalty should be active on random attention");
        else Assert.Equal(0.0, result.AttentionPenalty);
    }

    [Fact]
    public void BaselineHasNoAttentionParameters()
    {
        var (decoder, _) = Build(23, useAttention: false);
        var names = decoder.NamedParameters().Select(p => p.Name).ToArray();
        Assert.DoesNotContain(names, n => n.StartsWith("attention", StringComparison.Ordinal) || n.StartsWith("gate", StringComparison.Ordinal));
        Assert.Null(decoder.Attention);
        Assert.Equal([16, 3], decoder.Lstm.WeightIh.ShapeArray());             // (4H, E): words only
        var (attentive, _) = Build(23, useAttention: true);
        Assert.Equal([16, 6], attentive.Lstm.WeightIh.ShapeArray());          // (4H, E + F)
        Assert.Contains("attention.features_weight", attentive.NamedParameters().Select(p => p.Name));
        Assert.Contains("gate.weight", attentive.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void RejectsMalformedBatches()
    {
        var (decoder, features) = Build(24);
        var g = new Generator(1);
        Assert.Throws<ArgumentException>(() => decoder.Loss(features, [0], [[2]], g));                  // too short
        Assert.Throws<ArgumentException>(() => decoder.Loss(features, [5], [[2, 4, 3]], g));            // no image 5
        Assert.Throws<ArgumentException>(() => decoder.Loss(features, [0, 1], [[2, 4, 3]], g));         // count mismatch
        Assert.Throws<ShapeMismatchException>(() => decoder.Loss(Tensor.Zeros(2, Regions, 5), [0], [[2, 4, 3]], g));
    }

    // ---- naive reference: the paper's equations with scalar loops in double precision ----

    private static double[] Affine(Tensor weight, Tensor? bias, double[] x)
    {
        int rows = weight.Size(0), cols = weight.Size(1);
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = bias?.Data[i] ?? 0;
            for (int j = 0; j < cols; j++) s += weight[i, j] * x[j];
            y[i] = s;
        }
        return y;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static (double CrossEntropy, double Penalty, int Tokens) NaiveLoss(AttentionDecoder d, Tensor features, bool useAttention, double lambda)
    {
        int hidden = d.Lstm.HiddenSize;
        double ceSum = 0, penalty = 0;
        int tokens = 0;
        for (int m = 0; m < Captions.Length; m++)
        {
            int image = ImageOfCaption[m];
            var regions = new double[Regions][];
            var mean = new double[FeatureSize];
            for (int r = 0; r < Regions; r++)
            {
                regions[r] = new double[FeatureSize];
                for (int f = 0; f < FeatureSize; f++) { regions[r][f] = features[image, r, f]; mean[f] += regions[r][f] / Regions; }
            }
            var h = Affine(d.InitHidden.Weight, d.InitHidden.Bias, mean).Select(Math.Tanh).ToArray();
            var c = Affine(d.InitCell.Weight, d.InitCell.Bias, mean).Select(Math.Tanh).ToArray();
            var alphaSum = new double[Regions];
            var caption = Captions[m];
            for (int t = 0; t < caption.Length - 1; t++)
            {
                var word = Enumerable.Range(0, d.Embedding.EmbeddingDim).Select(j => (double)d.Embedding.Weight[caption[t], j]);
                double[] x;
                if (useAttention)
                {
                    var a = d.Attention!;
                    var query = Affine(a.HiddenWeight, a.Bias, h);
                    var scores = new double[Regions];
                    for (int r = 0; r < Regions; r++)
                    {
                        var proj = Affine(a.FeaturesWeight, null, regions[r]);
                        for (int k = 0; k < proj.Length; k++) scores[r] += a.ScoreWeight[0, k] * Math.Tanh(proj[k] + query[k]);
                    }
                    double max = scores.Max(), z = scores.Sum(s => Math.Exp(s - max));
                    var alpha = scores.Select(s => Math.Exp(s - max) / z).ToArray();
                    var context = new double[FeatureSize];
                    for (int r = 0; r < Regions; r++) for (int f = 0; f < FeatureSize; f++) context[f] += alpha[r] * regions[r][f];
                    var beta = Affine(d.Gate!.Weight, d.Gate.Bias, h).Select(Sigmoid).ToArray();
                    x = word.Concat(context.Select((v, f) => beta[f] * v)).ToArray();
                    for (int r = 0; r < Regions; r++) alphaSum[r] += alpha[r];
                }
                else x = word.ToArray();
                var gates = Affine(d.Lstm.WeightIh, d.Lstm.BiasIh, x);
                var recurrent = Affine(d.Lstm.WeightHh, d.Lstm.BiasHh, h);
                for (int k = 0; k < gates.Length; k++) gates[k] += recurrent[k];
                for (int j = 0; j < hidden; j++)
                {
                    double i = Sigmoid(gates[j]), f = Sigmoid(gates[hidden + j]), g = Math.Tanh(gates[2 * hidden + j]), o = Sigmoid(gates[3 * hidden + j]);
                    c[j] = f * c[j] + i * g;
                    h[j] = o * Math.Tanh(c[j]);
                }
                var logits = Affine(d.Output.Weight, d.Output.Bias, h);
                double lmax = logits.Max(), lse = lmax + Math.Log(logits.Sum(l => Math.Exp(l - lmax)));
                ceSum += lse - logits[caption[t + 1]];
                tokens++;
            }
            if (useAttention) penalty += alphaSum.Sum(s => (1 - s) * (1 - s));
        }
        return (ceSum / tokens, useAttention ? lambda * penalty / Captions.Length : 0, tokens);
    }
}
