// `pipeline cluster ...`: the batch jobs on a Microsoft Orleans cluster (docs/cluster.md).
//   silo                         start a worker silo (hosts the models, runs shards)
//   caption INPUT... --out OUT   submit a caption job and follow it (same inputs and options as `caption`)
//   classify INPUT [--out OUT]   submit a classify job and follow it (same input and options as `classify`)
//   status --out OUT [--follow]  show (or follow) the job writing OUT
//   cancel --out OUT             stop it; rerunning the submit command resumes it
// Every command finds the cluster through --redis (default: $PIPELINE_REDIS) or, without it, localhost
// development clustering. The commands parse options and call library code (Pipeline.Cluster).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cluster;

namespace Pipeline.Cli;

/// <summary>The <c>cluster</c> command group.</summary>
internal static class ClusterCommand
{
    /// <summary>Environment variable holding the default <c>--redis</c> connection string.</summary>
    public const string RedisVariable = "PIPELINE_REDIS";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    // A client notices the end of a job at most this late (one small grain call per interval).
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var command = new Command("cluster", "Run caption/classify jobs across the silos of a Microsoft Orleans cluster (see docs/cluster.md).");
        command.Subcommands.Add(CreateSilo());
        command.Subcommands.Add(CreateCaption());
        command.Subcommands.Add(CreateClassify());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateCancel());
        return command;
    }

    // Options every cluster command shares: where the cluster is.
    private sealed class ConnectionLine
    {
        public Option<string?> Redis { get; } = new("--redis")
        {
            Description = $"Redis connection string (host:port) for clustering and job state (default: ${RedisVariable}; absent: localhost development clustering).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } redis ? redis : null,
        };
        public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Cluster name: silos and clients with the same id form one cluster.", DefaultValueFactory = _ => ClusterConnectionOptions.DefaultClusterId };
        public Option<string> ServiceId { get; } = new("--service-id") { Description = "Names the stored job state; keep it across restarts to resume jobs.", DefaultValueFactory = _ => ClusterConnectionOptions.DefaultServiceId };
        public Option<int[]> Gateways { get; } = new("--gateway") { Description = "Localhost clustering only: gateway port(s) of the silos to connect to.", DefaultValueFactory = _ => [ClusterConnectionOptions.DefaultGatewayPort], AllowMultipleArgumentsPerToken = true };

        public void AddTo(Command command, bool client)
        {
            command.Options.Add(Redis);
            command.Options.Add(ClusterId);
            command.Options.Add(ServiceId);
            if (client) command.Options.Add(Gateways);
        }

        public ClusterConnectionOptions Parse(ParseResult parse) =>
            new(parse.GetValue(Redis), parse.GetValue(ClusterId)!, parse.GetValue(ServiceId)!, parse.GetValue(Gateways));
    }

    private static Command CreateSilo()
    {
        var connection = new ConnectionLine();
        var siloPort = new Option<int>("--silo-port") { Description = "Port for silo-to-silo traffic.", DefaultValueFactory = _ => ClusterConnectionOptions.DefaultSiloPort };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients connect to.", DefaultValueFactory = _ => ClusterConnectionOptions.DefaultGatewayPort };
        var primaryPort = new Option<int>("--primary-port") { Description = "Localhost clustering only: the silo port of the first silo, which the others join.", DefaultValueFactory = _ => ClusterConnectionOptions.DefaultSiloPort };
        var advertise = new Option<string?>("--advertise") { Description = "Address other machines reach this silo at (Redis clustering; default 127.0.0.1: this machine only)." };
        var lease = new Option<double>("--lease-timeout") { Description = "Seconds a shard lease lasts without renewal (all silos alike).", DefaultValueFactory = _ => new ClusterWorkerOptions().LeaseDuration.TotalSeconds };

        var command = new Command("silo", "Start a worker silo: it joins the cluster, hosts the models and runs shards until stopped (Ctrl-C / SIGTERM).");
        connection.AddTo(command, client: false);
        foreach (var option in new Option[] { siloPort, gatewayPort, primaryPort, advertise, lease }) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ClusterSiloOptions options;
            try
            {
                IPAddress? address = parse.GetValue(advertise) is { } text
                    ? IPAddress.TryParse(text, out var parsed) ? parsed : throw new ArgumentException($"--advertise: '{text}' is not an IP address.")
                    : null;
                var worker = new ClusterWorkerOptions { LeaseDuration = TimeSpan.FromSeconds(parse.GetValue(lease)), Threads = parse.GetValue(PipelineCli.Threads) }.Validate();
                options = new ClusterSiloOptions(connection.Parse(parse), parse.GetValue(siloPort), parse.GetValue(gatewayPort), parse.GetValue(primaryPort), address, worker);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"pipeline cluster silo: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
            if (options.Connection.Redis is not null && options.AdvertisedAddress is null)
                Console.Error.WriteLine("cluster silo: advertising 127.0.0.1 — only processes on this machine can reach this silo; pass --advertise IP for a multi-machine cluster.");
            using var host = ClusterHosting.BuildSilo(options);
            try { await host.RunAsync(cancellationToken); }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                Console.Error.WriteLine($"cluster silo: the silo stopped: {e.GetBaseException().Message}" +
                                        (options.Connection.Redis is { } redis ? $" (is Redis answering at {redis}? scripts/start-redis.sh starts one)" : ""));
                return PipelineCli.ErrorExitCode;
            }
            return 0;
        });
        return command;
    }

    private static Command CreateCaption()
    {
        var line = new CaptionCommandLine();
        return CreateSubmit("caption", "Caption images on the cluster: same inputs, options and output as `pipeline caption`.", line.AddTo, line.Output,
            JobPlanner.DefaultCaptionShardSize, "images", parse =>
            {
                var options = line.Parse(parse);
                return JobPlanner.Request(options.OutputPath!, RequireDirectory(line.ResolveModel(parse) ?? throw new ArgumentException("no --model given and the shipped model data/models/captioner was not found.")), CaptionJobSettings.From(options));
            });
    }

    private static Command CreateClassify()
    {
        var line = new ClassifyCommandLine();
        return CreateSubmit("classify", "Classify a corpus on the cluster: same input, options and output as `pipeline classify`.", line.AddTo, line.Output,
            JobPlanner.DefaultClassifyShardSize, "texts", parse =>
            {
                var options = line.ParseJob(parse);
                return JobPlanner.Request(options.OutputPath, RequireDirectory(line.ResolveModel(parse)), ClassifyJobSettings.From(options));
            });
    }

    // A submit command: the single-machine command's inputs and options (addJobOptions), its --out made required (output),
    // then shard size, --detach and the connection.
    private static Command CreateSubmit(string verb, string description, Action<Command> addJobOptions, Option<string?> output, int defaultShardSize,
        string noun, Func<ParseResult, ClusterJobSpec> request)
    {
        output.Required = true;
        output.Description = "Result file (.jsonl, .csv or .tsv) on storage every silo sees; written whole when the job ends. Identifies the job.";
        var connection = new ConnectionLine();
        var shardSize = new Option<int>("--shard-size")
        {
            Description = $"{char.ToUpperInvariant(noun[0])}{noun[1..]} per shard: the unit of work a silo takes on, commits and, if it dies, redoes.",
            DefaultValueFactory = _ => defaultShardSize,
        };
        var detach = new Option<bool>("--detach") { Description = "Submit and return at once; follow later with `pipeline cluster status --out OUT --follow`." };
        var command = new Command(verb, description);
        addJobOptions(command);
        command.Options.Add(shardSize);
        command.Options.Add(detach);
        connection.AddTo(command, client: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ClusterJobSpec job;
            try { job = request(parse); }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"cluster {verb}: {e.Message}");
                return PipelineCli.ErrorExitCode;
            }
            return await SubmitAndFollowAsync(verb, noun, job, parse.GetValue(shardSize), parse.GetValue(detach), connection.Parse(parse), cancellationToken);
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var connection = new ConnectionLine();
        var output = new Option<string>("--out") { Description = "The job's output file.", Required = true };
        var follow = new Option<bool>("--follow") { Description = "Keep printing progress until the job ends." };
        var command = new Command("status", "Show the cluster job writing --out (its shards, the silos working on them, its counts).");
        command.Options.Add(output);
        command.Options.Add(follow);
        connection.AddTo(command, client: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(output)!;
            return await WithClientAsync("status", connection.Parse(parse), cancellationToken, async jobs =>
            {
                var status = await jobs.StatusAsync(path);
                Describe(path, status);
                if (!parse.GetValue(follow) || status.IsTerminal) return status.Phase == JobPhase.None ? 1 : 0;
                try { status = await jobs.FollowAsync(path, FollowInterval, new ProgressPrinter(Noun(status.Spec)), Unreachable, cancellationToken); }
                catch (OperationCanceledException) { return PipelineCli.CancelledExitCode; }
                return Finish(status.Spec?.Kind.ToString().ToLowerInvariant() ?? "cluster", status);
            });
        });
        return command;
    }

    private static Command CreateCancel()
    {
        var connection = new ConnectionLine();
        var output = new Option<string>("--out") { Description = "The job's output file.", Required = true };
        var command = new Command("cancel", "Cancel the cluster job writing --out; committed shards are kept and rerunning the job's command resumes it.");
        command.Options.Add(output);
        connection.AddTo(command, client: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(output)!;
            return await WithClientAsync("cancel", connection.Parse(parse), cancellationToken, async jobs =>
            {
                var status = await jobs.CancelAsync(path);
                Describe(path, status);
                return status.Phase == JobPhase.None ? 1 : 0;
            });
        });
        return command;
    }

    private static string RequireDirectory(string path) =>
        Directory.Exists(path) ? Path.GetFullPath(path) : throw new ArgumentException($"--model: no model directory at {Path.GetFullPath(path)}.");

    private static string Noun(ClusterJobSpec? spec) => spec?.Kind == ClusterJobKind.Classify ? "texts" : "images";

    private static async Task<int> SubmitAndFollowAsync(string verb, string noun, ClusterJobSpec request, int shardSize, bool detach,
        ClusterConnectionOptions connection, CancellationToken cancellationToken) =>
        await WithClientAsync($"cluster {verb}", connection, cancellationToken, async jobs =>
        {
            SubmitResult result;
            JobStatus status;
            try { (result, status) = await jobs.SubmitAsync(request, shardSize); }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Console.Error.WriteLine($"cluster {verb}: {e.Message}");
                return PipelineCli.ErrorExitCode;
            }
            var spec = status.Spec!;
            Console.Error.WriteLine(result switch
            {
                SubmitResult.Started => $"cluster {verb}: job {spec.OutputPath} started: {spec.ItemCount:N0} {noun} in {spec.ShardCount:N0} shards.",
                SubmitResult.Resumed => $"cluster {verb}: job {spec.OutputPath} resumed with {status.ShardsDone:N0} of {spec.ShardCount:N0} shards already committed.",
                SubmitResult.Attached => $"cluster {verb}: job {spec.OutputPath} is already running ({status.ShardsDone:N0} of {spec.ShardCount:N0} shards committed); following it.",
                _ => $"cluster {verb}: job {spec.OutputPath} has already finished.",
            });
            if (result == SubmitResult.AlreadyDone) return Finish(verb, status);
            if (detach)
            {
                Console.Error.WriteLine($"cluster {verb}: follow it with `pipeline cluster status --out {spec.OutputPath} --follow`.");
                return 0;
            }
            try { status = await jobs.FollowAsync(spec.OutputPath, FollowInterval, new ProgressPrinter(noun), Unreachable, cancellationToken); }
            catch (OperationCanceledException)
            {
                // Ctrl-C stops the job, as it stops the single-machine command; rerunning the command resumes it.
                try { status = await jobs.CancelAsync(spec.OutputPath).WaitAsync(TimeSpan.FromSeconds(15)); }
                catch (Exception e) when (e is not OperationCanceledException) { Console.Error.WriteLine($"cluster {verb}: could not cancel the job: {e.Message}"); }
                Console.Error.WriteLine($"cluster {verb}: cancelled with {status.ShardsDone:N0} of {spec.ShardCount:N0} shards committed; rerun the same command to resume.");
                return PipelineCli.CancelledExitCode;
            }
            return Finish(verb, status);
        });

    private static async Task<int> WithClientAsync(string what, ClusterConnectionOptions connection, CancellationToken cancellationToken, Func<ClusterJobClient, Task<int>> action)
    {
        IHost host;
        try { host = await ClusterHosting.StartClientAsync(connection, ConnectTimeout, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"{what}: cannot reach the cluster ({(connection.Redis is { } redis ? "Redis " + redis : "localhost gateway " + string.Join(",", connection.GatewayPorts ?? []))}, " +
                                    $"cluster id '{connection.ClusterId}'): {e.Message}. Is a silo running (`pipeline cluster silo`)?");
            return PipelineCli.ErrorExitCode;
        }
        using (host)
        {
            try { return await action(new ClusterJobClient(host.Services.GetRequiredService<IClusterClient>())); }
            finally
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await host.StopAsync(stop.Token); } catch (OperationCanceledException) { }
            }
        }
    }

    private static DateTime lastUnreachable = DateTime.MinValue;

    private static void Unreachable(Exception e)
    {
        if (DateTime.UtcNow - lastUnreachable < TimeSpan.FromSeconds(10)) return;
        lastUnreachable = DateTime.UtcNow;
        var reason = e.GetBaseException().Message.Split('\n')[0].Trim();
        Console.Error.WriteLine($"cluster: the job is not answering ({reason}); still trying — is the cluster restarting?");
    }

    // The closing line and exit code, as the single-machine commands report them.
    private static int Finish(string verb, JobStatus status)
    {
        if (status.Phase == JobPhase.None)
        {
            // Only with localhost development clustering, whose job state lives in a silo's memory.
            Console.Error.WriteLine($"{verb}: the cluster has lost the job's state (a silo holding it in memory stopped); " +
                                    "rerun the job's command: it resumes from the shards already committed.");
            return PipelineCli.ErrorExitCode;
        }
        var spec = status.Spec;
        var summary = ClusterJobClient.Summary(status);
        string done = spec?.Kind == ClusterJobKind.Classify ? "classified" : "captioned";
        Console.Error.WriteLine($"{verb}: {summary.Completed:N0} {done}, {summary.Skipped:N0} skipped (duplicates), {summary.Failed:N0} failed" +
                                string.Create(CultureInfo.InvariantCulture, $" in {status.Elapsed.TotalSeconds:F1} s") +
                                (status.Phase == JobPhase.Succeeded ? $"; results in {spec?.OutputPath}" + (summary.Failed > 0 ? $", failures in {spec?.ErrorsPath}" : "") : "") +
                                (status.Phase == JobPhase.Cancelled ? "; cancelled — rerun the job's command to resume" : "") +
                                (status.Phase == JobPhase.Failed ? $"; the job failed: {status.Failure}" : ""));
        return status.Phase switch
        {
            JobPhase.Succeeded => summary.ExitCode,
            JobPhase.Cancelled => 130,
            _ => 2,
        };
    }

    private static void Describe(string outputPath, JobStatus status)
    {
        if (status.Spec is not { } spec)
        {
            Console.WriteLine($"no cluster job writes {Path.GetFullPath(outputPath)}");
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"job {spec.OutputPath}: {status.Phase} after {status.Elapsed.TotalSeconds:F1} s, {spec.Kind.ToString().ToLowerInvariant()} with model {spec.ModelDirectory}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  shards: {status.ShardsDone:N0} of {spec.ShardCount:N0} committed, {status.InFlight.Count} in flight, {status.ShardsReassigned} re-assigned after a lost worker"));
        foreach (var shard in status.InFlight)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {(shard.Shard == ShardLease.FinalizeShard ? "merge" : "shard " + shard.Shard)} on silo {shard.Silo}: {shard.Completed:N0} done, {shard.Failed:N0} failed"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  items: {status.Completed:N0} done, {status.Skipped:N0} skipped, {status.Failed:N0} failed in committed shards, of {spec.ItemCount:N0}"));
        if (status.ProtocolCalls > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  coordinator: {status.ProtocolCalls:N0} shard-protocol calls, busy {status.CoordinatorBusy.TotalMilliseconds:F0} ms since activation"));
        if (status.Failure is { } failure) Console.WriteLine($"  failure: {failure}");
    }

    // One progress line on stderr at most every two seconds, with the rate since following began.
    private sealed class ProgressPrinter(string noun) : IProgress<JobStatus>
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly bool interactive = !Console.IsErrorRedirected;
        private TimeSpan? last;
        private long? first;

        public void Report(JobStatus status)
        {
            if (status.Spec is not { } spec) return;
            long done = status.CompletedIncludingInFlight;
            first ??= done;
            if (!status.IsTerminal && last is { } previous && clock.Elapsed - previous < TimeSpan.FromSeconds(2)) return;
            last = clock.Elapsed;
            double rate = (done - first.Value) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{clock.Elapsed.TotalSeconds,4:F0} s] shards {status.ShardsDone:N0}/{spec.ShardCount:N0} committed, {status.InFlight.Count} running; " +
                $"{done:N0} of {spec.ItemCount:N0} {noun} done, {status.Failed + status.InFlight.Sum(s => s.Failed):N0} failed; {rate:F0} {noun}/s");
            if (interactive) Console.Error.Write("\r" + line + (status.IsTerminal ? "\n" : "")); else Console.Error.WriteLine(line);
        }
    }
}
