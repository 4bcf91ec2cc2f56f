// End-to-end check that the captioner can learn: a tiny model trained with Adam on 16 synthetic
// "coloured square" images must reproduce their captions under greedy decoding: at least 95 % of the
// reference tokens right, position by position (a missing or extra token counts as wrong). Plain token
// accuracy, not BLEU, because the caption metrics live above the engine (src/Pipeline/Evaluation/Captioning).
using System.Diagnostics;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
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
        int right = 0, total = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var generated = hypotheses[i].Tokens.ToArray();
            var reference = captions[i][1..^1];
            total += Math.Max(generated.Length, reference.Length);
            for (int t = 0; t < Math.Min(generated.Length, reference.Length); t++)
                if (generated[t] == reference[t]) right++;
        }
        double accuracy = (double)right / total;
        output.WriteLine($"{steps} steps, final cross-entropy {loss:F4}, token accuracy {right}/{total}, {watch.ElapsedMilliseconds} ms");
        Assert.True(accuracy >= 0.95, $"token accuracy {right}/{total} after {steps} steps (cross-entropy {loss:F4})");
    }
}
