// A minimal ILogger for the command line: one timestamped line per message on standard error, so
// logs stay apart from results on standard output and survive redirection to a file (nohup).
using Microsoft.Extensions.Logging;

namespace Pipeline.Classification;

/// <summary>Writes log messages at or above a level to standard error.</summary>
public sealed class StderrLogger(LogLevel minimum = LogLevel.Information) : ILogger
{
    private static readonly Lock Gate = new();

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var prefix = logLevel switch { LogLevel.Warning => "warning: ", LogLevel.Error or LogLevel.Critical => "error: ", _ => "" };
        lock (Gate) Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {prefix}{formatter(state, exception)}");
    }
}
