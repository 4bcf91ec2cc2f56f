// Client of bench/reference/reference.py in --serve mode: one warm Python process per environment
// (tuned or default) and thread count, asked `run NAME ITERS WARMUP` line by line. Each answer is one
// JSON line; the process lives for the whole comparison so its setup cost is paid once per config.
using System.Diagnostics;
using System.Text.Json;

namespace Pipeline.Bench.Runner;

/// <summary>A running reference server.</summary>
internal sealed class ReferenceServer : IDisposable
{
    private readonly Process process;

    private ReferenceServer(Process process, string environment, JsonElement ready)
    {
        this.process = process;
        Environment = environment;
        Ready = ready;
    }

    /// <summary>"tuned" or "default".</summary>
    public string Environment { get; }

    /// <summary>The server's start-up line (env, threads, pid, openblas_core).</summary>
    public JsonElement Ready { get; }

    /// <summary>Starts run_reference.sh --serve under <paramref name="repoRoot"/> and waits for its ready line.</summary>
    public static ReferenceServer Start(string repoRoot, string environment, int threads)
    {
        var script = Path.Combine(repoRoot, "bench", "reference", "run_reference.sh");
        if (!File.Exists(script)) throw new FileNotFoundException($"reference script not found at {script} (run from the repository root or pass --repo)", script);
        var info = new ProcessStartInfo("bash", [script, "--serve", "--env", environment, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warmup", "0"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,     // diagnostics pass through to our stderr
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the reference server");
        var ready = ReadJson(process, "start-up");
        if (!ready.TryGetProperty("ready", out _)) throw new InvalidOperationException($"reference server did not report ready: {ready}");
        return new ReferenceServer(process, environment, ready);
    }

    /// <summary>
    /// Freezes the reference process (SIGSTOP) while our side is measured. Idle is not quiet: its OpenBLAS
    /// worker threads keep spinning and yielding between requests (≈ 0.4 of a core measured in `/proc`),
    /// and on 2 cores that took our second thread away for whole rounds. <see cref="Resume"/> before its turn.
    /// </summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused reference process run again (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    private const int SigStop = 19, SigCont = 18;   // Linux x86-64 / arm64 numbering

    private void Signal(int signal)
    {
        if (!OperatingSystem.IsLinux()) return;
        if (kill(process.Id, signal) != 0)
            throw new InvalidOperationException($"could not send signal {signal} to the reference process {process.Id} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Measures <paramref name="config"/> for <paramref name="iters"/> steps after <paramref name="warmup"/> untimed ones.</summary>
    public JsonElement Run(string config, int iters, int warmup) => Request($"run {config} {iters} {warmup}");

    /// <summary>The server's environment description (versions, thread pools, OpenBLAS kernel).</summary>
    public JsonElement Info() => Request("info");

    private JsonElement Request(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
        var answer = ReadJson(process, line);
        if (answer.TryGetProperty("error", out var error)) throw new InvalidOperationException($"reference ({Environment}) failed on '{line}': {error.GetString()}");
        return answer;
    }

    private static JsonElement ReadJson(Process process, string request)
    {
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"reference server exited while answering '{request}'");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Asks the server to quit and waits for it.</summary>
    public void Dispose()
    {
        try
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000)) process.Kill();
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
