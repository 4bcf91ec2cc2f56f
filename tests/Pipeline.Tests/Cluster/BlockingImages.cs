// Holds silo processes in the middle of chosen shards without any timing: a few images are replaced by
// named pipes (mkfifo), so the worker that reaches one blocks reading it until the test serves the
// image's original bytes. With one such image in each of shards 5, 6 and 7, three silos end up each
// holding one of those shards (a worker runs one shard at a time and takes the lowest free one), with
// shards 0–4 committed — a state the test can kill, cancel or restart in, deterministically.
// Served bytes are the original files', so the output is still the single-machine one; Dispose puts the
// original files back.
using System.Diagnostics;

namespace Pipeline.Tests.Cluster;

internal sealed class BlockingImages : IDisposable
{
    private readonly List<(string Path, byte[] Bytes)> images;
    private readonly List<Thread> feeders = [];
    private volatile bool stopping;

    /// <summary>Replaces <paramref name="paths"/> by named pipes.</summary>
    public BlockingImages(IEnumerable<string> paths)
    {
        images = paths.Select(p => (p, File.ReadAllBytes(p))).ToList();
        foreach (var (path, _) in images)
        {
            File.Delete(path);
            using var mkfifo = Process.Start("mkfifo", [path]);
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} failed");
        }
    }

    /// <summary>From now on every reader of a pipe gets the image's bytes (once per open, as a file would give them).</summary>
    public void Serve()
    {
        foreach (var (path, bytes) in images)
        {
            var feeder = new Thread(() =>
            {
                while (!stopping)
                {
                    using var pipe = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);   // blocks until a reader opens
                    if (stopping) return;
                    try { pipe.Write(bytes); }
                    catch (IOException) { }   // the reader went away (its silo was killed)
                }
            }) { IsBackground = true, Name = "fifo " + Path.GetFileName(path) };
            feeder.Start();
            feeders.Add(feeder);
        }
    }

    public void Dispose()
    {
        stopping = true;
        foreach (var (path, bytes) in images)
        {
            // Unblock a feeder waiting for a reader, then put the real file back.
            if (feeders.Count > 0)
                try { using var unblock = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1); }
                catch (IOException) { }
            File.Delete(path);
            File.WriteAllBytes(path, bytes);
        }
        foreach (var feeder in feeders) feeder.Join(TimeSpan.FromSeconds(5));
    }
}
