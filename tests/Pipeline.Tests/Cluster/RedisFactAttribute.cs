// A [Fact] that needs the Redis that scripts/start-redis.sh starts. CI (.ci/run) starts it and sets
// PIPELINE_REQUIRE_REDIS=1, so there a missing Redis fails the test with a message saying what to run;
// on a developer machine without it the test is skipped with that message instead (xunit 2 decides
// skips when the attribute is constructed). PIPELINE_REDIS overrides the address (default localhost:6390).
using System.Net.Sockets;

namespace Pipeline.Tests.Cluster;

public sealed class RedisFactAttribute : FactAttribute
{
    public const string AddressVariable = "PIPELINE_REDIS";
    public const string RequiredVariable = "PIPELINE_REQUIRE_REDIS";

    /// <summary>The Redis the tests use (StackExchange.Redis connection string).</summary>
    public static string Connection => Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } value ? value : "localhost:6390";

    public static bool Required =>
        Environment.GetEnvironmentVariable(RequiredVariable) == "1" || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string MissingMessage =>
        $"Redis is not answering at {Connection}: run `bash scripts/start-redis.sh` (CI's .ci/run does), or set {AddressVariable}.";

    public RedisFactAttribute()
    {
        if (!Required && !Reachable()) Skip = MissingMessage;
    }

    /// <summary>True when something accepts TCP connections at <see cref="Connection"/>'s first endpoint.</summary>
    public static bool Reachable()
    {
        var endpoint = Connection.Split(',')[0].Trim();
        int colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        int port = colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var p) ? p : 6379;
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}
