// ImageCaptioner as a library: a trained directory loads and captions files and streams identically,
// batched captioning equals one-by-one captioning, concurrent callers get the sequential answers, and
// broken model directories fail with messages that name the problem.
using Pipeline.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Tests.Captioning;

public sealed class ImageCaptionerTests(TinyCaptionData data) : IClassFixture<TinyCaptionData>
{
    [Fact]
    public void LoadAndCaptionRoundTrip()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        string image = data.ImagePaths[0];
        var fromFile = captioner.Caption(image);
        Assert.Equal(image, fromFile.Source);
        Assert.Equal(fromFile.Words.Count, fromFile.Caption.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(fromFile.Words.Count <= captioner.Config.MaxCaptionLength);
        Assert.All(fromFile.Words, w => Assert.DoesNotContain(w, Vocabulary.SpecialTokens));
        Assert.True(float.IsFinite(fromFile.Score) && fromFile.Score <= 0);

        using var stream = File.OpenRead(image);
        var fromStream = captioner.Caption(stream, "scene.png");
        Assert.Equal("scene.png", fromStream.Source);
        Assert.Equal(fromFile.Caption, fromStream.Caption);
        Assert.Equal(fromFile.Score, fromStream.Score, 1e-5f);
    }

    [Fact]
    public async Task BatchedAndAsyncCaptioningEqualOneByOne()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var paths = data.ImagePaths.Take(7).ToList();
        var single = paths.Select(p => captioner.Caption(p)).ToList();
        var many = captioner.CaptionMany(paths, batchSize: 3);
        Assert.Equal(single.Select(r => r.Caption), many.Select(r => r.Caption));
        Assert.Equal(paths, many.Select(r => r.Source));
        var streamed = new List<CaptionResult>();
        await foreach (var r in captioner.CaptionAsync(paths, batchSize: 4)) streamed.Add(r);
        Assert.Equal(single.Select(r => r.Caption), streamed.Select(r => r.Caption));
    }

    [Fact]
    public void PreprocessIntoABufferEqualsTheAllocatingOverload()
    {
        using var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var expected = captioner.Preprocess(data.ImagePaths[2]);
        Assert.Equal(expected.Length, captioner.InputLength);
        var buffer = new float[captioner.InputLength];
        buffer.AsSpan().Fill(float.NaN);   // every float must be written
        captioner.Preprocess(data.ImagePaths[2], buffer);
        Assert.Equal(expected, buffer);
        var ex = Assert.Throws<ArgumentException>(() => captioner.Preprocess(data.ImagePaths[2], new float[captioner.InputLength - 1]));
        Assert.Contains(captioner.InputLength.ToString(), ex.Message);
    }

    [Fact]
    public async Task CaptionAsyncStreamsAnAsyncSourceInInputOrder()
    {
        using var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var paths = data.ImagePaths.Take(5).ToList();
        var expected = paths.Select(p => captioner.Caption(p)).ToList();
        var channel = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var producer = Task.Run(async () =>
        {
            foreach (var p in paths) { await channel.Writer.WriteAsync(p); await Task.Yield(); }
            channel.Writer.Complete();
        });
        var streamed = new List<CaptionResult>();
        await foreach (var r in captioner.CaptionAsync(channel.Reader.ReadAllAsync(), batchSize: 2)) streamed.Add(r);
        await producer;
        Assert.Equal(paths, streamed.Select(r => r.Source));
        Assert.Equal(expected.Select(r => r.Caption), streamed.Select(r => r.Caption));
        Assert.Equal(expected.Select(r => r.Score), streamed.Select(r => r.Score));
    }

    [Fact]
    public async Task CaptionAsyncStopsWhenCancelledAndRejectsBadOptionsAtTheCall()
    {
        using var captioner = ImageCaptioner.Load(data.ModelDirectory);
        using var cancel = new CancellationTokenSource();
        var seen = new List<CaptionResult>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in captioner.CaptionAsync(data.ImagePaths, batchSize: 2, cancellationToken: cancel.Token))
            {
                seen.Add(r);
                cancel.Cancel();
            }
        });
        Assert.Equal(2, seen.Count);   // the first batch, then no other
        Assert.Throws<ArgumentOutOfRangeException>(() => captioner.CaptionAsync(data.ImagePaths, new CaptionOptions(BeamSize: 0)));
    }

    [Fact]
    public async Task DisposedCaptionerRefusesCalls()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var stream = captioner.CaptionAsync(data.ImagePaths.Take(4), batchSize: 2).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        captioner.Dispose();
        // The batch in flight was delivered whole; the next batch is refused.
        Assert.True(await stream.MoveNextAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.MoveNextAsync());
        await stream.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => captioner.Caption(data.ImagePaths[0]));
        Assert.Throws<ObjectDisposedException>(() => captioner.CaptionAsync(data.ImagePaths));
        captioner.Dispose();   // idempotent
    }

    [Fact]
    public void BeamSearchReturnsAlternativesAndAttention()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var result = captioner.Caption(data.ImagePaths[1], new CaptionOptions(BeamSize: 3, TopK: 3, ReturnAttention: true));
        Assert.InRange(result.Alternatives.Count, 0, 2);
        Assert.NotNull(result.Attention);
        Assert.Equal(result.Words.Count, result.Attention!.Length);
        Assert.All(result.Attention, row =>
        {
            Assert.Equal(result.GridH * result.GridW, row.Length);
            Assert.Equal(1.0, row.Sum(), 3);
        });
    }

    [Fact]
    public void ConcurrentCallsGiveTheSequentialResults()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var paths = data.ImagePaths.Take(8).ToList();
        var options = new CaptionOptions(BeamSize: 2);
        var expected = paths.Select(p => captioner.Caption(p, options)).ToList();
        var actual = new CaptionResult[paths.Count * 3];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = captioner.Caption(paths[i % paths.Count], options));
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % paths.Count].Caption, actual[i].Caption);
            Assert.Equal(expected[i % paths.Count].Score, actual[i].Score);
        }
    }

    [Fact]
    public void TestSplitEvaluationScoresEveryTestImage()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var metrics = CaptionerEvaluation.Evaluate(captioner, data.DatasetPath, DatasetSplit.Test, new CaptionOptions(), batchSize: 2);
        Assert.Equal(3, metrics.ImageCount);   // 30 scenes: every tenth is a test image
        Assert.InRange(metrics.Bleu4, 0.0, 1.0);
        Assert.InRange(metrics.Bleu1, metrics.Bleu4, 1.0);
    }

    [Fact]
    public void BrokenModelDirectoriesFailClearly()
    {
        var missing = Assert.Throws<DirectoryNotFoundException>(() => ImageCaptioner.Load(Path.Combine(data.Root, "no-such-model")));
        Assert.Contains("no-such-model", missing.Message);

        string copy = Path.Combine(data.Root, "broken-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(data.ModelDirectory))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));

        File.Delete(Path.Combine(copy, CaptionerDirectory.VocabularyFile));
        var noVocab = Assert.Throws<FileNotFoundException>(() => ImageCaptioner.Load(copy));
        Assert.Contains(CaptionerDirectory.VocabularyFile, noVocab.Message);

        Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, "a", "b"]).Save(Path.Combine(copy, CaptionerDirectory.VocabularyFile));
        var mismatch = Assert.Throws<InvalidDataException>(() => ImageCaptioner.Load(copy));
        Assert.Contains("6 tokens", mismatch.Message);
        Assert.Contains(Checkpoint.ConfigFile, mismatch.Message);
    }
}
