// The name of the grain storage that holds job state. Silos bind it to Redis (`--redis`), to memory
// (localhost development clustering: not durable), or, in tests, to any IGrainStorage.
namespace Pipeline.Cluster;

/// <summary>Grain storage used by <see cref="JobGrain"/> and <see cref="JobRegistryGrain"/>.</summary>
public static class ClusterStorage
{
    /// <summary>The storage provider name.</summary>
    public const string Name = "pipeline-jobs";
}
