// End-to-end check that the captioner can learn: a tiny model trained with Adam on 16 synthetic
// "coloured square" images must reproduce their captions under greedy decoding (corpus BLEU-4 ≥ 0.95).
using System.Diagnostics;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Evaluation;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Xunit.Abstractions;

namespace Pipeline.Models.Tests.Captioning;

public sealed class CaptionOverfitTests(ITestOutputHelper output)
{
    [Fact]
    public void TinyModelOverfitsSixteenSyntheticImages()
    {
        var watch = Stopwatch.StartNew();
        var generator = new Generator(11);
        var model = new CaptionModel(CaptionTestData.SmallConfig(imageSize: 32), generator);
        var (images, captions) = CaptionTestData.Squares(32);
        var imageIndex = Enumerable.Range(0, captions.Length).ToArray();
        var optimizer = new Adam(model.Parameters(), new AdamOptions(LearningRate: 1e-2));

        int steps = 0;
        double loss = double.NaN;
        for (; steps < 300; steps++)
        {
            using var scope = new TensorScope();
            optimizer.ZeroGrad();
            var result = model.Loss(model.Encode(images), imageIndex, captions, generator);
            result.Loss.Backward();
            optimizer.Step();
            loss = result.CrossEntropy;
            if (loss < 0.03) break;
        }

        // Weights moved every step, so batch-norm running averages lag behind; re-estimate them with the final
        // weights (forward passes in training mode without gradients) before switching to evaluation.
        using (GradMode.NoGrad())
            for (int i = 0; i < 30; i++) { using var scope = new TensorScope(); model.Encode(images); }
        model.Eval();
        IReadOnlyList<CaptionHypothesis> hypotheses;
        using (var scope = new TensorScope())
            hypotheses = model.Generate(model.Encode(images), new DecodeOptions(MaxLength: 10));
        var samples = hypotheses.Select((h, i) => new EvaluationSample(
            i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            h.Tokens.Select(CaptionTestData.Word).ToArray(),
            [captions[i][1..^1].Select(CaptionTestData.Word).ToArray()])).ToArray();
        double bleu4 = Bleu.Compute(samples).Corpus[3];
        output.WriteLine($"{steps} steps, final cross-entropy {loss:F4}, BLEU-4 {bleu4:F4}, {watch.ElapsedMilliseconds} ms");
        Assert.True(bleu4 >= 0.95, $"BLEU-4 {bleu4:F4} after {steps} steps (cross-entropy {loss:F4})");
    }
}
