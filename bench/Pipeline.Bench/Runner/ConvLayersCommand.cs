// `conv-layers [--shapes LIST] [--batch 32] [--iters N] [--threads T]`: a development tool for the training
// convolutions. For each layer shape it times, in one process and alternating, the forward alone, forward +
// the weight gradient, and forward + the input gradient, and prints the CPU time per call of each part and its
// GFLOP/s (2·multiply-adds / CPU time), so a kernel change can be judged per layer and per direction on a
// shared machine (CPU time is far less disturbed by other tenants than wall time). Every layer runs on both
// paths in one process, alternating: the blocked kernels (the default; "(n/a)" where the geometry falls back to
// the GEMM anyway) and the im2col GEMM (BlockedConvolution off), the A/B behind CpuProfile's rule.
// A shape is C-O-H-K-S-P (input channels, output channels, square input side, kernel, stride, padding); the
// default list is the captioning encoder preset `small` on 128×128 images (encoder_train / captioner_train).
using Pipeline.Models.Autograd;
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Runner;

/// <summary>Per-layer, per-direction timing of training convolutions.</summary>
internal static class ConvLayersCommand
{
    private const string SmallEncoder = "3-32-128-3-2-1,32-64-64-3-2-1,64-64-32-3-1-1,64-128-32-3-2-1,128-128-16-3-1-1,128-256-16-3-2-1";

    public static int Run(ReadOnlySpan<string> args)
    {
        string shapes = SmallEncoder;
        int batch = 32, iters = 5, rounds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--shapes": shapes = args[++i]; break;
                case "--batch": batch = int.Parse(args[++i]); break;
                case "--iters": iters = int.Parse(args[++i]); break;
                case "--rounds": rounds = int.Parse(args[++i]); break;
                case "--threads": Parallelism.DegreeOfParallelism = int.Parse(args[++i]); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Console.WriteLine($"load {MachineInfo.LoadAverage():F1}, threads {Parallelism.DegreeOfParallelism}, batch {batch}; CPU ms per call (GFLOP/s)");
        Console.WriteLine($"{"layer",-22} {"forward",18} {"weight grad",18} {"input grad",18}");
        double[][] totals = [new double[3], new double[3]];
        foreach (var spec in shapes.Split(','))
        {
            var p = spec.Split('-').Select(int.Parse).ToArray();
            int c = p[0], o = p[1], h = p[2], k = p[3], s = p[4], pad = p[5];
            var generator = new Generator(1);
            var x = Tensor.Randn(generator, [batch, c, h, h]);
            var w = Tensor.Randn(generator, [o, c, k, k]);
            int oh = (h + 2 * pad - k) / s + 1;
            var upstream = Tensor.Randn(generator, [batch, o, oh, oh]);
            double macs = (double)batch * o * c * k * k * oh * oh;
            // Both paths in one process, alternating within every round: [0] blocked (the default), [1] the im2col GEMM.
            var fwd = new[] { new List<double>(), new List<double>() };
            var dw = new[] { new List<double>(), new List<double>() };
            var dx = new[] { new List<double>(), new List<double>() };
            for (int round = 0; round < rounds + 1; round++)
            {
                for (int path = 0; path < 2; path++)
                {
                    BlockedConvolution.Enabled = path == 0;
                    try
                    {
                        double f = Time(iters, () => Step(x, w, upstream, s, pad, weightGrad: false, inputGrad: false));
                        double fw = Time(iters, () => Step(x, w, upstream, s, pad, weightGrad: true, inputGrad: false));
                        double fx = Time(iters, () => Step(x, w, upstream, s, pad, weightGrad: false, inputGrad: true));
                        if (round == 0) continue;   // warm-up round
                        fwd[path].Add(f); dw[path].Add(fw - f); dx[path].Add(fx - f);
                    }
                    finally { BlockedConvolution.Enabled = true; }
                }
            }
            bool blockedRuns = BlockedConvolution.Applies(new ConvGeometry(c, h, h, k, k, s, s, pad, pad, 1, 1, oh, oh), o, true, true);
            for (int path = 0; path < 2; path++)
            {
                double mf = Timing.Median(fwd[path]), mw = Timing.Median(dw[path]), mx = Timing.Median(dx[path]);
                totals[path][0] += mf; totals[path][1] += mw; totals[path][2] += mx;
                string label = path == 0 ? (blockedRuns ? spec : spec + " (n/a)") : "  gemm";
                Console.WriteLine($"{label,-22} {Cell(mf, macs),18} {Cell(mw, macs),18} {Cell(mx, macs),18}   sum {mf + mw + mx,8:F2}");
            }
        }
        for (int path = 0; path < 2; path++)
            Console.WriteLine($"{(path == 0 ? "total blocked" : "total gemm"),-22} {totals[path][0],10:F2}         {totals[path][1],10:F2}         {totals[path][2],10:F2}   (sum {totals[path].Sum():F2} ms)");
        return 0;
    }

    private static string Cell(double ms, double macs) => $"{ms,7:F2} ({2 * macs / (ms / 1000) / 1e9,5:F0})";

    private static void Step(Tensor x, Tensor w, Tensor upstream, int stride, int padding, bool weightGrad, bool inputGrad)
    {
        x.RequiresGrad = inputGrad;
        w.RequiresGrad = weightGrad;
        // Dispose rather than drop the previous gradients, so their buffers come back from the pool as in a training loop.
        x.Grad?.Dispose();
        w.Grad?.Dispose();
        x.Grad = null;
        w.Grad = null;
        using var scope = new TensorScope();
        var y = Functional.Conv2d(x, w, null, (stride, stride), (padding, padding));
        if (weightGrad || inputGrad) y.Backward(upstream);
    }

    /// <summary>Median process CPU time (ms) of one call over <paramref name="iters"/> calls.</summary>
    private static double Time(int iters, Action step)
    {
        var samples = new double[iters];
        for (int i = 0; i < iters; i++)
        {
            double start = ProcessCpuMilliseconds();
            step();
            samples[i] = ProcessCpuMilliseconds() - start;
        }
        return Timing.Median(samples);
    }

    /// <summary>CPU time of the process, all threads, in ms at nanosecond resolution (Process.TotalProcessorTime ticks in 10 ms on Linux).</summary>
    internal static double ProcessCpuMilliseconds()
    {
        const int ClockProcessCputimeId = 2;
        ClockGetTime(ClockProcessCputimeId, out var ts);
        return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
    }

    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
