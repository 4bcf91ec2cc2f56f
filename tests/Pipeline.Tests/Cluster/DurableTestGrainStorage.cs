// A grain storage for in-process test clusters that outlives any one silo, as Redis does for real ones:
// state is serialized into a process-wide dictionary (keyed by service id, state name and grain id), with
// ETags checked on write like a real provider. Orleans' own memory storage keeps state inside silos, so a
// killed silo would take part of it along and the test would not be testing a durable store.
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Pipeline.Tests.Cluster;

internal sealed class DurableTestGrainStorage(Serializer serializer, string serviceId) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, (byte[] Data, string ETag)> Store = new();

    public static DurableTestGrainStorage Create(IServiceProvider services, string name) =>
        new(services.GetRequiredService<Serializer>(), services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId);

    private string Key(string stateName, GrainId grainId) => $"{serviceId}/{stateName}/{grainId}";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Store.TryGetValue(Key(stateName, grainId), out var entry))
        {
            grainState.State = serializer.Deserialize<T>(entry.Data);
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var next = (serializer.SerializeToArray(grainState.State), Guid.NewGuid().ToString("N"));
        bool written = grainState.ETag is null
            ? Store.TryAdd(key, next)
            : Store.TryGetValue(key, out var current) && current.ETag == grainState.ETag && Store.TryUpdate(key, next, current);
        if (!written) throw new InconsistentStateException($"ETag mismatch writing {key}", Store.TryGetValue(key, out var stored) ? stored.ETag : "", grainState.ETag ?? "");
        grainState.ETag = next.Item2;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Store.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
