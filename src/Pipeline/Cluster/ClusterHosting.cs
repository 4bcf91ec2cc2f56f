// How a process joins a Pipeline cluster, as a silo (worker) or as a client. Two ways to find each other:
//   Redis (--redis host:port): membership table and job state in Redis — the production setup, any
//     number of machines; silos listen on all interfaces and advertise one address that others can reach.
//   localhost development clustering (no --redis): silos on one machine find the primary silo's port;
//     job state in memory, so it does not survive a restart of the cluster.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace Pipeline.Cluster;

/// <summary>Where the cluster is: Redis, or localhost development clustering; and which cluster.</summary>
/// <param name="Redis">StackExchange.Redis connection string (e.g. <c>redis-host:6379</c>); null for localhost development clustering.</param>
/// <param name="ClusterId">Silos and clients with the same id form one cluster.</param>
/// <param name="ServiceId">Names the stored job state (keep it across cluster restarts to resume jobs).</param>
/// <param name="GatewayPorts">Localhost clustering only: the gateway ports a client may connect to.</param>
public sealed record ClusterConnectionOptions(string? Redis, string ClusterId = ClusterConnectionOptions.DefaultClusterId,
    string ServiceId = ClusterConnectionOptions.DefaultServiceId, IReadOnlyList<int>? GatewayPorts = null)
{
    /// <summary>Default cluster id.</summary>
    public const string DefaultClusterId = "pipeline";

    /// <summary>Default service id.</summary>
    public const string DefaultServiceId = "pipeline";

    /// <summary>Default silo-to-silo port.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>Default client gateway port.</summary>
    public const int DefaultGatewayPort = 30000;
}

/// <summary>Settings of one silo process.</summary>
/// <param name="Connection">The cluster to join.</param>
/// <param name="SiloPort">Port for silo-to-silo traffic.</param>
/// <param name="GatewayPort">Port clients connect to.</param>
/// <param name="PrimarySiloPort">Localhost clustering only: the silo port of the first silo, which the others join.</param>
/// <param name="AdvertisedAddress">The address other silos and clients use to reach this one (Redis clustering).</param>
/// <param name="Worker">Lease, polling and thread settings.</param>
public sealed record ClusterSiloOptions(
    ClusterConnectionOptions Connection,
    int SiloPort = ClusterConnectionOptions.DefaultSiloPort,
    int GatewayPort = ClusterConnectionOptions.DefaultGatewayPort,
    int PrimarySiloPort = ClusterConnectionOptions.DefaultSiloPort,
    IPAddress? AdvertisedAddress = null,
    ClusterWorkerOptions? Worker = null);

/// <summary>Builds silo and client hosts.</summary>
public static class ClusterHosting
{
    /// <summary>Adds the Pipeline grains' services (model cache, shard runner, worker start-up) to a silo.</summary>
    public static ISiloBuilder AddPipelineWorkers(this ISiloBuilder silo, ClusterWorkerOptions? worker = null)
    {
        silo.Services.AddSingleton(Options.Create((worker ?? new ClusterWorkerOptions()).Validate()));
        silo.Services.AddSingleton<ModelHost>();
        silo.Services.TryAddSingleton<ShardRunner>();
        if (Environment.GetEnvironmentVariable(HoldingShardRunner.EnvironmentVariable) is { Length: > 0 } holdFolder)
            silo.Services.TryAddSingleton<IShardRunner>(services => new HoldingShardRunner(services.GetRequiredService<ShardRunner>(), holdFolder));
        else
            silo.Services.TryAddSingleton<IShardRunner>(services => services.GetRequiredService<ShardRunner>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WorkerStarter>();
        return silo;
    }

    /// <summary>A silo host (not started) for <paramref name="options"/>.</summary>
    public static IHost BuildSilo(ClusterSiloOptions options)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ConfigureLogging(builder.Logging, LogLevel.Information, toStandardError: false);
        var connection = options.Connection;
        builder.UseOrleans(silo =>
        {
            if (connection.Redis is { } redis)
            {
                silo.UseRedisClustering(redis);
                silo.AddRedisGrainStorage(ClusterStorage.Name, storage => storage.Configure<Serializer>((o, serializer) =>
                {
                    o.ConfigurationOptions = ConfigurationOptions.Parse(redis);
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
                silo.ConfigureEndpoints(options.AdvertisedAddress ?? IPAddress.Loopback, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort),
                    connection.ServiceId, connection.ClusterId);
                silo.AddMemoryGrainStorage(ClusterStorage.Name);
            }
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = connection.ClusterId;
                cluster.ServiceId = connection.ServiceId;
            });
            // A silo that stops updating its heartbeat in the membership table for 30 s (default 90 s) counts as stale,
            // so after a whole cluster went down (kill -9, power loss) new silos with the same cluster id stop waiting
            // for the old ones within half a minute. Heartbeats cost one small table write per silo per 10 s.
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
                membership.NumMissedTableIAmAliveLimit = 3;
            });
            silo.AddPipelineWorkers(options.Worker);
        });
        return builder.Build();
    }

    /// <summary>Starts a client of the cluster; it waits up to <paramref name="connectTimeout"/> for a gateway to answer.</summary>
    public static async Task<IHost> StartClientAsync(ClusterConnectionOptions connection, TimeSpan connectTimeout, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ConfigureLogging(builder.Logging, LogLevel.Error, toStandardError: true);
        builder.UseOrleansClient(client =>
        {
            if (connection.Redis is { } redis) client.UseRedisClustering(redis);
            else client.UseLocalhostClustering([.. connection.GatewayPorts ?? [ClusterConnectionOptions.DefaultGatewayPort]], connection.ServiceId, connection.ClusterId);
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = connection.ClusterId;
                cluster.ServiceId = connection.ServiceId;
            });
            client.UseConnectionRetryFilter(new ConnectRetry(DateTime.UtcNow + connectTimeout).ShouldRetryAsync);
        });
        var host = builder.Build();
        try { await host.StartAsync(cancellationToken); }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LogLevel pipelineLevel, bool toStandardError)
    {
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        if (toStandardError) logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Pipeline", pipelineLevel);
        // Orleans logs a warning for every failed connection attempt while a silo is down; errors are enough here.
        logging.AddFilter("Orleans", LogLevel.Error);
    }

    // Keeps retrying the first connection until the deadline, so a client can start before (or during a restart of) the silos.
    private sealed class ConnectRetry(DateTime deadlineUtc)
    {
        public async Task<bool> ShouldRetryAsync(Exception exception, CancellationToken cancellationToken)
        {
            if (DateTime.UtcNow >= deadlineUtc) return false;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }
    }
}
