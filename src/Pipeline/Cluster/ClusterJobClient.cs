// The client side of a cluster job, used by `pipeline cluster caption|classify|status|cancel` and by tests:
// submit (plan on the shared filesystem, then hand the spec to the job grain), follow (poll the status
// until the job ends, riding out a cluster that is restarting), and cancel. A job is identified by its
// output file, so resubmitting the same command attaches to, or resumes, the job already writing it.
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>What a submission did.</summary>
public enum SubmitResult
{
    /// <summary>A new job was planned (or its existing plan reused) and started.</summary>
    Started,
    /// <summary>The job was already running; the client follows it.</summary>
    Attached,
    /// <summary>The job had been cancelled or had failed; it runs again from its committed shards.</summary>
    Resumed,
    /// <summary>The job had already succeeded and its output is in place; nothing to do.</summary>
    AlreadyDone,
}

/// <summary>Submits, follows and cancels cluster jobs through an Orleans client.</summary>
public sealed class ClusterJobClient(IClusterClient client)
{
    /// <summary>The id of the job that writes <paramref name="outputPath"/>: its full path.</summary>
    public static string JobId(string outputPath) => Path.GetFullPath(outputPath);

    /// <summary>The job grain writing <paramref name="outputPath"/>.</summary>
    public IJobGrain Job(string outputPath) => client.GetGrain<IJobGrain>(JobId(outputPath));

    /// <summary>
    /// Starts the job <paramref name="request"/> describes (see <see cref="JobPlanner.Request(string, string, CaptionJobSettings)"/>),
    /// or attaches to / resumes the job already writing its output.
    /// </summary>
    /// <exception cref="InvalidOperationException">The output belongs to a job doing other work, or exists without a job.</exception>
    public async Task<(SubmitResult Result, JobStatus Status)> SubmitAsync(ClusterJobSpec request, int shardSize)
    {
        var job = Job(request.OutputPath);
        var status = await job.GetStatusAsync();
        bool finished = status.Phase == JobPhase.Succeeded;
        if (status.Spec is { } current && status.Phase != JobPhase.None && !(finished && !File.Exists(request.OutputPath)))
        {
            if (!current.SameWork(request))
                throw new InvalidOperationException(
                    $"{request.OutputPath} belongs to another job ({current.Kind}, model {current.ModelDirectory}, {status.Phase}); " +
                    (finished ? "move its output aside" : "cancel it (pipeline cluster cancel)") + " or choose another --out.");
            return status.Phase switch
            {
                JobPhase.Running => (SubmitResult.Attached, status),
                JobPhase.Succeeded => (SubmitResult.AlreadyDone, status),
                _ => (SubmitResult.Resumed, await job.SubmitAsync(current, restartFinished: false)),
            };
        }
        // No job, or a finished one whose output is gone: plan and start afresh.
        if (File.Exists(request.OutputPath))
            throw new InvalidOperationException(
                $"{request.OutputPath} exists and no cluster job is writing it; a cluster job writes its output whole at the end — " +
                "move the file aside, or continue it on one machine with the single-machine command.");
        var spec = JobPlanner.Plan(request, shardSize);
        return (SubmitResult.Started, await job.SubmitAsync(spec, restartFinished: true));
    }

    /// <summary>
    /// Polls the job writing <paramref name="outputPath"/> every <paramref name="interval"/> until it ends, reporting each status.
    /// While the cluster is unreachable (restarting) it keeps trying and reports the error instead.
    /// </summary>
    public async Task<JobStatus> FollowAsync(string outputPath, TimeSpan interval, IProgress<JobStatus>? progress = null,
        Action<Exception>? unreachable = null, CancellationToken cancellationToken = default)
    {
        var job = Job(outputPath);
        while (true)
        {
            try
            {
                var status = await job.GetStatusAsync().WaitAsync(cancellationToken);
                progress?.Report(status);
                if (status.IsTerminal) return status;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                unreachable?.Invoke(e);
            }
            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>Cancels the job writing <paramref name="outputPath"/>; its committed shards are kept for a resume.</summary>
    public Task<JobStatus> CancelAsync(string outputPath) => Job(outputPath).CancelAsync();

    /// <summary>The status of the job writing <paramref name="outputPath"/> (phase None when there is none).</summary>
    public Task<JobStatus> StatusAsync(string outputPath) => Job(outputPath).GetStatusAsync();

    /// <summary>The single-machine summary and exit code equivalent to a finished job's status.</summary>
    public static BatchSummary Summary(JobStatus status) =>
        new((int)Math.Min(int.MaxValue, status.Completed), (int)Math.Min(int.MaxValue, status.Skipped), (int)Math.Min(int.MaxValue, status.Failed),
            Cancelled: status.Phase != JobPhase.Succeeded);
}
