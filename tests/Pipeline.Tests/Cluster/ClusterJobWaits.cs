// Condition waits for cluster tests: poll a job's status until a predicate holds, with a generous timeout
// and no assertion on how long it took. A job that ends before the condition is met fails the wait at once.
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

internal static class ClusterJobWaits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static async Task<JobStatus> WaitForAsync(ClusterJobClient jobs, string output, Func<JobStatus, bool> condition, string what, bool allowTerminal = false)
    {
        var deadline = DateTime.UtcNow + Timeout;
        JobStatus? last = null;
        Exception? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await jobs.StatusAsync(output);
                if (condition(last)) return last;
                if (last.IsTerminal && last.Phase != JobPhase.None && !allowTerminal)   // None: not submitted yet
                    throw new InvalidOperationException($"the job ended ({last.Phase}, {last.ShardsDone} shards) before: {what}");
            }
            catch (Exception e) when (e is not InvalidOperationException)
            {
                error = e;   // the job grain may be moving after a kill; keep asking
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"not within {Timeout}: {what}; last status: {Describe(last)}; last error: {error?.Message}");
    }

    public static string Describe(JobStatus? status) => status is null ? "none"
        : $"{status.Phase}, {status.ShardsDone}/{status.Spec?.ShardCount} shards, in flight [{string.Join(", ", status.InFlight.Select(f => $"{f.Shard}@{f.Silo}:{f.Completed}"))}], {status.Completed} done, {status.Failed} failed, failure {status.Failure}";
}
