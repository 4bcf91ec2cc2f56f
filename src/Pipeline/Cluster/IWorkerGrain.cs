// One worker per silo, keyed by the silo's address and activated on that silo (PreferLocalPlacement from
// the silo's own start-up hook, WorkerStarter): it pulls shards from the running jobs and runs them there.
using Orleans.Concurrency;

namespace Pipeline.Cluster;

/// <summary>The shard worker of one silo.</summary>
[Alias("pipeline.IWorkerGrain")]
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Activates the worker (it then polls for work on its own).</summary>
    [Alias("start")]
    Task StartAsync();

    /// <summary>A job was added: an idle worker asks for work now instead of at its next poll (a busy one asks when its shard ends).</summary>
    [Alias("wake"), OneWay, AlwaysInterleave]
    Task WakeAsync();
}
