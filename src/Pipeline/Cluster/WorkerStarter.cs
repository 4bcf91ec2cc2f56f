// Starts the silo's worker grain once the silo is active. The call comes from the silo itself, so the
// worker's PreferLocalPlacement puts it on this silo; its key is this silo's address, unique per process.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Pipeline.Models.Kernels;

namespace Pipeline.Cluster;

/// <summary>Activates this silo's <see cref="IWorkerGrain"/> at the end of silo start-up.</summary>
internal sealed class WorkerStarter(IGrainFactory grains, ILocalSiloDetails silo, IOptions<ClusterWorkerOptions> options, ILogger<WorkerStarter> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkerStarter), ServiceLifecycleStage.Active, StartAsync, _ => Task.CompletedTask);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Threads is int threads) Parallelism.DegreeOfParallelism = threads;
        await grains.GetGrain<IWorkerGrain>(silo.SiloAddress.ToParsableString()).StartAsync();
        logger.LogInformation("silo {Silo} ready: worker started ({Threads} engine threads, leases of {Lease} s)",
            silo.SiloAddress, Parallelism.DegreeOfParallelism, options.Value.LeaseDuration.TotalSeconds);
    }
}
