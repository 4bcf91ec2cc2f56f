// Save/load round trip of a whole CaptionModel through Pipeline.Models.Checkpoints: the reloaded model
// (rebuilt from config.json) encodes and decodes exactly like the original, batch-norm statistics included.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Captioning;

public sealed class CaptionCheckpointTests
{
    [Fact]
    public void ReloadedModelGeneratesIdenticalCaptions()
    {
        var directory = Path.Combine(Path.GetTempPath(), "caption-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            var generator = new Generator(31);
            var model = new CaptionModel(CaptionTestData.SmallConfig(), generator);
            var (images, captions) = CaptionTestData.Squares(32);
            // A few training steps move the weights and the batch-norm running statistics away from their init.
            var optimizer = new Adam(model.Parameters(), new AdamOptions(LearningRate: 1e-2));
            for (int i = 0; i < 3; i++)
            {
                using var scope = new TensorScope();
                optimizer.ZeroGrad();
                model.Loss(model.Encode(images), Enumerable.Range(0, 16).ToArray(), captions, generator).Loss.Backward();
                optimizer.Step();
            }
            model.Eval();
            model.Save(directory);
            var loaded = CaptionModel.Load(directory);

            using var outer = new TensorScope();
            using var noGrad = GradMode.NoGrad();
            var original = model.Encode(images);
            var reloaded = loaded.Encode(images);
            Assert.Equal(original.ToArray(), reloaded.ToArray());
            var options = new DecodeOptions(BeamSize: 2, MaxLength: 8, TopK: 2);
            var expected = model.Generate(original, options);
            var actual = loaded.Generate(reloaded, options);
            for (int b = 0; b < expected.Count; b++)
            {
                Assert.Equal(expected[b].Tokens, actual[b].Tokens);
                Assert.Equal(expected[b].Score, actual[b].Score);
                Assert.Equal(expected[b].Attention!.Length, actual[b].Attention!.Length);
                for (int t = 0; t < expected[b].Attention!.Length; t++) Assert.Equal(expected[b].Attention![t], actual[b].Attention![t]);
            }
            // The one-call path (encode + decode) agrees with the two-step one.
            var direct = loaded.Caption(images, options);
            for (int b = 0; b < expected.Count; b++) Assert.Equal(expected[b].Tokens, direct[b].Tokens);
        }
        finally { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
    }
}
