// `caption-e2e --model DIR --photos FOLDER [--count 200] [--rounds 3] [--beam 3] [--threads 2] [--pipeline PATH]`:
// the end-to-end job users run — `pipeline caption FOLDER --model DIR --beam 3 --out FILE` over a folder of
// photos (decode + resize + encode + beam search + write) — against bench/reference/caption_reference.py
// doing the same in PyTorch + PIL with the same model. Both are separate processes started the way a user
// starts them; the figure is the wall-clock time of the whole command (start-up, model load and all), and
// the reference also reports the time of its captioning loop alone. Rounds alternate ours / reference.
// The first COUNT images of FOLDER (sorted by name) are linked into a scratch folder so both read the same
// files; the ResNet-18 weights and input transform are handed to the reference as .npy files. The captions
// of the two sides are compared as a check that both did the same work.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Models.Pretrained;

namespace Pipeline.Bench.Runner;

/// <summary>Result of the end-to-end captioning comparison.</summary>
internal sealed record CaptionEndToEndResult(int Images, int Rounds, int Beam, int Threads, string Model, List<double> OursSeconds, List<double> ReferenceSeconds,
    List<double> ReferenceLoopSeconds, int SameCaptions, double LoadBefore, double LoadAfter)
{
    public double OursMedian => Timing.Median(OursSeconds);
    public double ReferenceMedian => Timing.Median(ReferenceSeconds);
    public double Ratio => OursMedian / ReferenceMedian;
}

/// <summary>Runs `pipeline caption` and the PyTorch + PIL script on the same folder, alternately.</summary>
internal static class CaptionEndToEnd
{
    public const string Usage = "usage: caption-e2e --model DIR --photos FOLDER [--count 200] [--rounds 3] [--beam 3] [--threads 2] [--pipeline PATH/pipeline.dll] [--json FILE]";

    public static int Run(ReadOnlySpan<string> argSpan)
    {
        var args = argSpan.ToArray();
        string? model = null, photos = null, pipeline = null, json = null;
        int count = 200, rounds = 3, beam = 3, threads = 2;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--model": model = Next(); break;
                case "--photos": photos = Next(); break;
                case "--count": count = int.Parse(Next()); break;
                case "--rounds": rounds = int.Parse(Next()); break;
                case "--beam": beam = int.Parse(Next()); break;
                case "--threads": threads = int.Parse(Next()); break;
                case "--pipeline": pipeline = Next(); break;
                case "--json": json = Next(); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}"); return 2;
            }
        }
        if (model is null || photos is null) { Console.Error.WriteLine(Usage); return 2; }
        var result = Measure(new CompareOptions().RepoRoot, model, photos, count, rounds, beam, threads, pipeline);
        var line = JsonSerializer.Serialize(result);
        Console.WriteLine(line);
        if (json is not null) File.WriteAllText(json, line + "\n");
        return 0;
    }

    /// <summary>Runs the comparison; throws when a side fails (its stderr is passed through).</summary>
    public static CaptionEndToEndResult Measure(string repoRoot, string model, string photos, int count, int rounds, int beam, int threads, string? pipeline)
    {
        pipeline ??= Path.Combine(repoRoot, "src", "Pipeline", "bin", "Release", "net10.0", "pipeline.dll");
        if (!File.Exists(pipeline)) throw new FileNotFoundException($"{pipeline} not found; build it first: dotnet build src/Pipeline -c Release", pipeline);
        string script = Path.Combine(repoRoot, "bench", "reference", "caption_reference.py");
        var files = Directory.EnumerateFiles(photos).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(count).ToList();
        if (files.Count < count) throw new ArgumentException($"{photos} holds {files.Count} photos, fewer than --count {count}.");

        string scratch = Path.Combine(Path.GetTempPath(), $"pipeline-caption-e2e-{Environment.ProcessId}");
        string folder = Path.Combine(scratch, "photos"), resnet = Path.Combine(scratch, "resnet18");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var f in files) File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(f)), Path.GetFullPath(f));
            ResNetExport.Write(resnet, []);
            var transform = OnnxInputTransform.Import(PretrainedBackbones.ResNet18.Preprocessing.Locate());
            ResNetExport.WriteNpy(Path.Combine(resnet, "resnet_mean_image.npy"), transform.MeanImage, [3, transform.ImageSize, transform.ImageSize]);
            ResNetExport.WriteNpy(Path.Combine(resnet, "resnet_channel_order.npy"), transform.ChannelOrder.Select(c => (float)c).ToArray(), [3]);

            string oursOut = Path.Combine(scratch, "ours.jsonl"), referenceOut = Path.Combine(scratch, "reference.jsonl");
            var ours = new List<double>();
            var reference = new List<double>();
            var referenceLoop = new List<double>();
            double loadBefore = MachineInfo.LoadAverage();
            for (int round = 0; round < rounds; round++)
            {
                File.Delete(oursOut);                         // `pipeline caption` resumes into an existing file
                // Length penalty 0 on both sides (the reference's), so the captions can be compared word for word; the CLI's default is 1.
                ours.Add(Time("dotnet", [pipeline, "caption", folder, "--model", model, "--beam", beam.ToString(), "--length-penalty", "0", "--out", oursOut], out _,
                    ("DOTNET_PROCESSOR_COUNT", threads.ToString())));
                Thread.Sleep(200);
                reference.Add(Time("/usr/bin/python3", [script, "--model", model, "--resnet", resnet, "--inputs", folder, "--out", referenceOut,
                    "--beam", beam.ToString(), "--threads", threads.ToString()], out string summary));
                referenceLoop.Add(JsonDocument.Parse(summary.Trim().Split('\n')[^1]).RootElement.GetProperty("seconds").GetDouble());
                Thread.Sleep(200);
                Console.Error.WriteLine($"caption-e2e round {round + 1}: pipeline caption {ours[^1]:F2} s, PyTorch + PIL {reference[^1]:F2} s (loop {referenceLoop[^1]:F2} s)");
            }
            int same = CountSameCaptions(oursOut, referenceOut);
            return new CaptionEndToEndResult(files.Count, rounds, beam, threads, model, ours, reference, referenceLoop, same, loadBefore, MachineInfo.LoadAverage());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static double Time(string program, string[] arguments, out string stdout, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        watch.Stop();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Images whose best caption is the same text on both sides.</summary>
    private static int CountSameCaptions(string oursPath, string referencePath)
    {
        static Dictionary<string, string> Read(string path) => File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => Path.GetFileName(e.GetProperty("image").GetString()!), e => e.GetProperty("caption").GetString()!);
        var ours = Read(oursPath);
        var theirs = Read(referencePath);
        return ours.Count(p => theirs.TryGetValue(p.Key, out var c) && c == p.Value);
    }
}
