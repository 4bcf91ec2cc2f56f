// Real silo processes for the multi-process cluster tests: each is `pipeline cluster silo` (the built
// pipeline.dll beside the test assembly) on its own free ports, joined through Redis under a cluster and
// service id unique to the test, with its output in a log file that failing tests print. Kill is SIGKILL
// (kill -9): the process gets no chance to give anything back. Disposing kills whatever is still running.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orleans.Runtime;

namespace Pipeline.Tests.Cluster;

internal sealed class SiloProcesses : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly List<(Process Process, int SiloPort, string Log)> silos = [];
    private readonly string logDirectory;
    private int generation;

    public SiloProcesses(string logDirectory, string clusterId, string serviceId)
    {
        this.logDirectory = logDirectory;
        ClusterId = clusterId;
        ServiceId = serviceId;
        Directory.CreateDirectory(logDirectory);
    }

    /// <summary>The cluster the next silos join; <see cref="NewDeployment"/> changes it.</summary>
    public string ClusterId { get; private set; }

    public string ServiceId { get; }

    /// <summary>The silos' hold-file folder (PIPELINE_CLUSTER_HOLD_DIR; see HeldShards).</summary>
    public string HoldDirectory => Path.Combine(logDirectory, "hold");

    /// <summary>
    /// Starts the next silos as a new deployment of the same service: a fresh cluster id (membership) with the same
    /// service id (job state), as docs/cluster.md recommends after the whole cluster went down.
    /// </summary>
    public void NewDeployment() => ClusterId = ServiceId + "-" + Guid.NewGuid().ToString("N")[..6];

    public static string PipelineDll => Path.Combine(AppContext.BaseDirectory, "pipeline.dll");

    /// <summary>The options every `pipeline cluster` command of the test passes.</summary>
    public IEnumerable<string> ConnectionArguments => ["--redis", RedisFactAttribute.Connection, "--cluster-id", ClusterId, "--service-id", ServiceId];

    /// <summary>Starts <paramref name="count"/> silos and waits until each reports its worker ready; their logs are <c>silo-g{N}-*.log</c> for the N-th start.</summary>
    public async Task StartAsync(int count)
    {
        generation++;
        var started = new List<(Process, int, string)>();
        for (int i = 0; i < count; i++)
        {
            int siloPort = FreePort(), gatewayPort = FreePort();
            var log = Path.Combine(logDirectory, $"silo-g{generation}-{i}-{siloPort}.log");
            var process = Start(log, ["cluster", "silo", .. ConnectionArguments, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
                "--advertise", "127.0.0.1", "--lease-timeout", "5"], new Dictionary<string, string> { [Pipeline.Cluster.HoldingShardRunner.EnvironmentVariable] = HoldDirectory });
            started.Add((process, siloPort, log));
        }
        silos.AddRange(started);
        var deadline = DateTime.UtcNow + StartTimeout;
        foreach (var (process, _, log) in started)
            while (!File.ReadAllText(log).Contains("worker started", StringComparison.Ordinal))
            {
                if (process.HasExited) throw new InvalidOperationException($"silo exited with {process.ExitCode} during start-up:\n{File.ReadAllText(log)}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"silo not ready within {StartTimeout}:\n{File.ReadAllText(log)}");
                await Task.Delay(100);
            }
    }

    /// <summary>Runs a `pipeline` command to its end; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string log, TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(log, arguments);
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`pipeline {string.Join(' ', arguments)}` did not end within {timeout}:\n{File.ReadAllText(log)}");
        }
        await Task.Delay(100);   // let the output copy finish
        return (process.ExitCode, File.ReadAllText(log));
    }

    /// <summary>Starts a `pipeline` command with stdout and stderr appended to <paramref name="log"/>.</summary>
    public static Process Start(string log, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        info.ArgumentList.Add(PipelineDll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var gate = new Lock();
        void Append(string? line)
        {
            if (line is null) return;
            lock (gate) File.AppendAllText(log, line + "\n");
        }
        File.AppendAllText(log, "");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGKILLs the silo at <paramref name="silo"/>.</summary>
    public void Kill(SiloAddress silo) => KillWhere(s => s.SiloPort == silo.Endpoint.Port);

    /// <summary>SIGKILLs every silo: the whole cluster goes down at once.</summary>
    public void KillAll() => KillWhere(_ => true);

    private void KillWhere(Func<(Process Process, int SiloPort, string Log), bool> which)
    {
        var victims = silos.Where(which).ToList();
        if (victims.Count == 0) throw new ArgumentException("no such silo");
        foreach (var silo in victims)
        {
            if (!silo.Process.HasExited) silo.Process.Kill(entireProcessTree: true);
            silo.Process.WaitForExit();
            silo.Process.Dispose();
            silos.Remove(silo);
        }
    }

    /// <summary>Everything the silos logged (for failure messages).</summary>
    public string Logs() => string.Join("\n", Directory.EnumerateFiles(logDirectory, "silo-*.log").Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var silo in silos.ToList())
        {
            try { if (!silo.Process.HasExited) silo.Process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            silo.Process.Dispose();
        }
        silos.Clear();
        // The job state and membership of this test's service.
        try
        {
            using var redis = StackExchange.Redis.ConnectionMultiplexer.Connect(RedisFactAttribute.Connection);
            var database = redis.GetDatabase();
            foreach (var server in redis.GetServers())
                foreach (var key in server.Keys(pattern: ServiceId + "/*"))
                    database.KeyDelete(key);
        }
        catch (StackExchange.Redis.RedisException) { }
    }
}
