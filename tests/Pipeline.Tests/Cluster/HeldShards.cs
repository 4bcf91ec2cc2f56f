// Holds silo processes in the middle of chosen shards without any timing, through the silos' hold-file
// seam (Pipeline.Cluster.HoldingShardRunner, enabled by PIPELINE_CLUSTER_HOLD_DIR in their environment):
// while hold-N exists, shard N pauses after its first written batch. With shards 5, 6 and 7 held, three
// silos end up each holding one of them (a worker runs one shard at a time and takes the lowest free one),
// with shards 0–4 committed — a state the test can kill, cancel or restart in, deterministically.
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

internal sealed class HeldShards : IDisposable
{
    private readonly IReadOnlyList<string> files;

    /// <summary>Creates the hold files of <paramref name="shards"/> in <paramref name="folder"/> (the silos' PIPELINE_CLUSTER_HOLD_DIR).</summary>
    public HeldShards(string folder, IEnumerable<int> shards)
    {
        Directory.CreateDirectory(folder);
        files = shards.Select(s => HoldingShardRunner.HoldFile(folder, s)).ToList();
        foreach (var file in files) File.WriteAllText(file, "");
    }

    /// <summary>Lets the held shards go on.</summary>
    public void Serve()
    {
        foreach (var file in files) File.Delete(file);
    }

    public void Dispose() => Serve();
}
