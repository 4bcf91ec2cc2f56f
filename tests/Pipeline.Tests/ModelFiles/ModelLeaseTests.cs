// ModelLease, the lifetime behind ImageCaptioner.Dispose and TextClassifier.Dispose: the weights go back to
// the pool only after the last call in flight ends, exactly once, and calls after Dispose are refused.
using Pipeline.ModelFiles;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Tests.ModelFiles;

public sealed class ModelLeaseTests
{
    [Fact]
    public void DisposeWaitsForTheCallsInFlight()
    {
        var model = new Linear(4, 3, new Generator(1));
        var lease = new ModelLease(model);
        var first = lease.Use(this);
        var second = lease.Use(this);
        lease.Dispose();
        Assert.True(lease.IsDisposed);
        Assert.False(lease.IsReleased);
        Assert.All(model.NamedParameters(), p => Assert.False(p.Tensor.IsDisposed));
        Assert.Throws<ObjectDisposedException>(() => lease.Use(this));
        first.Dispose();
        Assert.False(lease.IsReleased);
        second.Dispose();
        Assert.True(lease.IsReleased);
        Assert.All(model.NamedParameters(), p => Assert.True(p.Tensor.IsDisposed));
        lease.Dispose();   // idempotent
    }

    [Fact]
    public void DisposeWithoutCallsReleasesAtOnce()
    {
        var model = new Linear(2, 2, new Generator(1));
        var lease = new ModelLease(model);
        lease.Use(this).Dispose();
        Assert.False(lease.IsReleased);
        lease.Dispose();
        Assert.True(lease.IsReleased);
        Assert.All(model.NamedParameters(), p => Assert.True(p.Tensor.IsDisposed));
    }

    [Fact]
    public void ConcurrentCallsAndDisposeReleaseExactlyOnceAndNeverUnderACall()
    {
        for (int round = 0; round < 50; round++)
        {
            var model = new Linear(2, 2, new Generator(1));
            var lease = new ModelLease(model);
            int underCall = 0;
            Parallel.For(0, 64, i =>
            {
                if (i == 32) { lease.Dispose(); return; }
                try
                {
                    using var use = lease.Use(this);
                    // Inside a use the weights must be alive.
                    if (model.NamedParameters().Any(p => p.Tensor.IsDisposed)) Interlocked.Increment(ref underCall);
                }
                catch (ObjectDisposedException) { }
            });
            Assert.Equal(0, underCall);
            Assert.True(lease.IsReleased);
        }
    }
}
