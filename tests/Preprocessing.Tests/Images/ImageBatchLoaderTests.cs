// The parallel loader: input order preserved, failures reported in place, memory bounded, cancellable.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class ImageBatchLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Results_arrive_in_input_order_with_errors_in_place()
    {
        var paths = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            byte[] bytes = i % 7 == 3 ? "broken"u8.ToArray() : Png(Gradient(8 + i, 8), 8 + i, 8);
            paths.Add(_dir.File($"{i:D3}.png", bytes));
        }
        paths.Add(Path.Combine(_dir.Path, "missing.png"));
        var pipeline = new ImagePipeline(ImagePreprocessingOptions.Eval(8));
        var loader = new ImageBatchLoader(workers: 3, capacity: 4);

        var results = new List<ImageLoadResult<RgbImage>>();
        await foreach (var r in loader.LoadAsync(paths, pipeline.LoadRgb))
            results.Add(r);

        Assert.Equal(Enumerable.Range(0, paths.Count), results.Select(r => r.Index));
        Assert.Equal(paths, results.Select(r => r.Path));
        for (int i = 0; i < 24; i++)
        {
            if (i % 7 == 3)
                Assert.Equal(ImageDecodeError.NotAnImage, Assert.IsType<ImageDecodeException>(results[i].Error).Error);
            else
                Assert.Equal(8 + i, results[i].Value!.Width);
        }
        Assert.Equal(ImageDecodeError.Unreadable, Assert.IsType<ImageDecodeException>(results[^1].Error).Error);
    }

    [Fact]
    public void Work_in_flight_is_bounded_by_capacity()
    {
        var paths = Enumerable.Range(0, 200).Select(i => $"item{i}").ToList();
        int started = 0, consumed = 0, maxLead = 0;
        var loader = new ImageBatchLoader(workers: 2, capacity: 5);
        foreach (var r in loader.Load(paths, p =>
                 {
                     int lead = Interlocked.Increment(ref started) - Volatile.Read(ref consumed);
                     InterlockedMax(ref maxLead, lead);
                     // Uneven costs so later items often finish before earlier ones.
                     Thread.SpinWait(p.Length % 2 == 0 ? 5_000 : 50);
                     return p.Length;
                 }))
        {
            Assert.Equal(paths[r.Index], r.Path);
            Interlocked.Increment(ref consumed);
        }
        Assert.Equal(200, consumed);
        Assert.InRange(maxLead, 1, loader.Capacity + 1);
    }

    [Fact]
    public async Task Cancellation_stops_the_loader()
    {
        var paths = Enumerable.Range(0, 1000).Select(i => $"p{i}").ToList();
        using var cts = new CancellationTokenSource();
        var loader = new ImageBatchLoader(workers: 2, capacity: 4);
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in loader.LoadAsync(paths, p => { Thread.Sleep(1); return p; }, cts.Token))
            {
                if (++seen == 5)
                    cts.Cancel();
            }
        });
        Assert.Equal(5, seen);
    }

    [Fact]
    public void Early_break_does_not_hang()
    {
        var paths = Enumerable.Range(0, 500).Select(i => $"p{i}").ToList();
        var first = new ImageBatchLoader(2, 3).Load(paths, p => p).Take(3).ToList();
        Assert.Equal(["p0", "p1", "p2"], first.Select(r => r.Value));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
