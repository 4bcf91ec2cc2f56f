// What the process runs on, and the kernel choices made from it at start-up — measured, not guessed.
// Machines of one kind land on different hosts: AMD Zen 4 (family 25) executes AVX-512 on 256-bit datapaths
// (a 512-bit FMA costs two 256-bit ones), Zen 5 (family 26) has full 512-bit units, and Intel parts differ
// again. Instead of a table of models, the profile times the candidates on this core once per process:
//   * peak FMA throughput at 256 and 512 bits (8 independent accumulator chains, so latency is hidden):
//     their ratio tells full-width (≈ 2×) from double-pumped (≈ 1×) AVX-512, reported with the CPUID family
//     and model in `pipeline selfcheck` and docs/BENCHMARKS.md;
//   * the SGEMM micro-kernels that can run here (AVX-512 12×32, AVX2 6×16) on the same L1-resident panels,
//     interleaved and best-of-5: the faster one becomes SgemmMicroKernels.Best (AVX-512 unless AVX2 is at least
//     10 % faster, so noise cannot flip a tie). Both give identical results (same k order per element).
// The whole measurement takes about a millisecond. PIPELINE_SGEMM_KERNEL=avx512|avx2|scalar overrides the
// choice (for A/B measurements; an unsupported value is ignored).
// The blocked direct/Winograd convolutions (DirectConv2d and everything built on it: the fused inference path,
// BlockedConvolution's training convolutions) are NOT chosen by timing: a per-process measurement on a loaded
// 2-vCPU host flipped between processes, so two runs of one command could take different paths (different
// float32 summation orders, different speeds). The rule is the CPU's capability alone — they run wherever
// AVX-512F is usable — because they won in every layer of the in-process A/B on the full-width host (Zen 5;
// docs/BENCHMARKS.md, "Third round") and a double-pumped 512-bit FMA (Zen 4) does the work of two 256-bit ones,
// as it does for the SGEMM kernel they replace. PIPELINE_DIRECT_CONV=on|off overrides it (for A/B measurements;
// "on" without AVX-512F is ignored).
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>CPU identification, measured vector throughput, and the kernels chosen from them.</summary>
/// <param name="Vendor">CPUID vendor string (AuthenticAMD, GenuineIntel, …).</param>
/// <param name="Family">Display family (base + extended), e.g. 25 for AMD Zen 4, 26 for Zen 5.</param>
/// <param name="Model">Display model.</param>
/// <param name="HasAvx512">AVX-512F usable.</param>
/// <param name="HasAvx2">AVX2 + FMA3 usable.</param>
/// <param name="Fma256Gflops">Measured single-core peak of 256-bit FMAs (GFLOP/s), 0 without AVX2.</param>
/// <param name="Fma512Gflops">Measured single-core peak of 512-bit FMAs (GFLOP/s), 0 without AVX-512.</param>
/// <param name="Sgemm">The SGEMM micro-kernel family chosen.</param>
/// <param name="SgemmReason">Why (the measured kernel throughputs, or the override).</param>
/// <param name="DirectConv">Whether convolutions run on the blocked direct/Winograd kernels (else the im2col GEMM).</param>
/// <param name="DirectConvReason">Why (the CPU capability, or the override).</param>
public sealed record CpuProfile(string Vendor, int Family, int Model, bool HasAvx512, bool HasAvx2, double Fma256Gflops, double Fma512Gflops,
    string Sgemm, string SgemmReason, bool DirectConv, string DirectConvReason)
{
    /// <summary>Environment variable that forces the SGEMM kernel family (avx512, avx2, scalar).</summary>
    public const string SgemmOverrideVariable = "PIPELINE_SGEMM_KERNEL";

    /// <summary>Environment variable that forces the blocked direct convolutions on or off (on, off).</summary>
    public const string DirectConvOverrideVariable = "PIPELINE_DIRECT_CONV";

    private static readonly Lazy<(CpuProfile Profile, SgemmKernelKind Kind)> s_current = new(Detect);

    /// <summary>This process's profile (measured on first use).</summary>
    public static CpuProfile Current => s_current.Value.Profile;

    /// <summary>The SGEMM kernel family chosen for this process.</summary>
    internal static SgemmKernelKind SgemmKind => s_current.Value.Kind;

    /// <summary>Whether this process runs convolutions on the blocked direct/Winograd kernels (AVX-512F, or the override; see the file header).</summary>
    internal static bool DirectConvolutions => s_current.Value.Profile.DirectConv;

    /// <summary>512-bit FMAs run at (about) twice the 256-bit rate: full-width AVX-512 units.</summary>
    public bool FullWidth512 => Fma512Gflops > 1.5 * Fma256Gflops;

    /// <summary>One line for logs and reports.</summary>
    public override string ToString()
        => $"{Vendor} family {Family} model {Model}; " + (HasAvx512 ? $"AVX-512 ({(FullWidth512 ? "full 512-bit" : "256-bit")} datapaths: FMA {Fma512Gflops:F0} GFLOP/s at 512 bits, {Fma256Gflops:F0} at 256)" : HasAvx2 ? $"AVX2 (FMA {Fma256Gflops:F0} GFLOP/s)" : "no AVX2")
            + $"; SGEMM kernel {Sgemm} ({SgemmReason}); direct convolutions {(DirectConv ? "on" : "off")} ({DirectConvReason})";

    private static (CpuProfile, SgemmKernelKind) Detect()
    {
        var (vendor, family, model) = Identify();
        bool avx512 = Avx512F.IsSupported && Vector512.IsHardwareAccelerated, avx2 = Avx2.IsSupported && Fma.IsSupported;
        double fma256 = avx2 ? Best(FmaLoop256) : 0, fma512 = avx512 ? Best(FmaLoop512) : 0;
        var (kind, reason) = ChooseSgemm(avx512, avx2);
        var (direct, directReason) = ChooseDirectConv();
        var profile = new CpuProfile(vendor, family, model, avx512, avx2, fma256, fma512, kind.ToString(), reason, direct, directReason);
        return (profile, kind);
    }

    private static (string Vendor, int Family, int Model) Identify()
    {
        if (!X86Base.IsSupported) return (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), 0, 0);
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name, ebx);
        BitConverter.TryWriteBytes(name[4..], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        var (eax, _, _, _) = X86Base.CpuId(1, 0);
        int baseFamily = (eax >> 8) & 0xF, baseModel = (eax >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0xF or 0x6 ? (((eax >> 16) & 0xF) << 4) | baseModel : baseModel;
        return (System.Text.Encoding.ASCII.GetString(name), family, model);
    }

    private static (SgemmKernelKind, string) ChooseSgemm(bool avx512, bool avx2)
    {
        string? forced = Environment.GetEnvironmentVariable(SgemmOverrideVariable)?.Trim().ToLowerInvariant();
        var requested = forced switch { "avx512" => SgemmKernelKind.Avx512, "avx2" => SgemmKernelKind.Avx2, "scalar" => SgemmKernelKind.Scalar, _ => (SgemmKernelKind?)null };
        if (requested is { } r && SgemmMicroKernels.IsSupported(r)) return (r, $"{SgemmOverrideVariable}={forced}");
        if (!avx512) return avx2 ? (SgemmKernelKind.Avx2, "no AVX-512") : (SgemmKernelKind.Scalar, "no AVX2");
        if (!avx2) return (SgemmKernelKind.Avx512, "no AVX2");
        var (wide, narrow) = MeasureSgemmKernels();
        string measured = $"measured {wide:F0} GFLOP/s AVX-512 12x32, {narrow:F0} AVX2 6x16";
        return narrow > 1.1 * wide ? (SgemmKernelKind.Avx2, measured) : (SgemmKernelKind.Avx512, measured);
    }

    /// <summary>A deterministic rule, the same in every process on one machine (see the file header).</summary>
    private static (bool, string) ChooseDirectConv()
    {
        string? forced = Environment.GetEnvironmentVariable(DirectConvOverrideVariable)?.Trim().ToLowerInvariant();
        if (!DirectConv2d.IsSupported) return (false, "no AVX-512F");
        if (forced is "on" or "off") return (forced == "on", $"{DirectConvOverrideVariable}={forced}");
        return (true, "AVX-512F");
    }

    /// <summary>Best of 5 runs of <paramref name="run"/>, which returns (flops, seconds).</summary>
    private static double Best(Func<(double Flops, double Seconds)> run)
    {
        double best = 0;
        for (int i = 0; i < 5; i++)
        {
            var (flops, seconds) = run();
            best = Math.Max(best, flops / Math.Max(seconds, 1e-9) / 1e9);
        }
        return best;
    }

    private const int FmaIterations = 16384;

    private static (double, double) FmaLoop256()
    {
        long start = Stopwatch.GetTimestamp();
        Sink = Chains256(FmaIterations);
        return (2.0 * 8 * 10 * FmaIterations, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static (double, double) FmaLoop512()
    {
        long start = Stopwatch.GetTimestamp();
        Sink = Chains512(FmaIterations);
        return (2.0 * 16 * 10 * FmaIterations, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    // Ten independent FMA chains (more than latency × throughput = 4 × 2), no call inside, so all stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains256(int iterations)
    {
        var m = Vector256.Create(0.999f); var a = Vector256.Create(1e-3f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a); c2 = Fma.MultiplyAdd(c2, m, a); c3 = Fma.MultiplyAdd(c3, m, a); c4 = Fma.MultiplyAdd(c4, m, a);
            c5 = Fma.MultiplyAdd(c5, m, a); c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a); c8 = Fma.MultiplyAdd(c8, m, a); c9 = Fma.MultiplyAdd(c9, m, a);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains512(int iterations)
    {
        var m = Vector512.Create(0.999f); var a = Vector512.Create(1e-3f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a); c1 = Avx512F.FusedMultiplyAdd(c1, m, a); c2 = Avx512F.FusedMultiplyAdd(c2, m, a); c3 = Avx512F.FusedMultiplyAdd(c3, m, a); c4 = Avx512F.FusedMultiplyAdd(c4, m, a);
            c5 = Avx512F.FusedMultiplyAdd(c5, m, a); c6 = Avx512F.FusedMultiplyAdd(c6, m, a); c7 = Avx512F.FusedMultiplyAdd(c7, m, a); c8 = Avx512F.FusedMultiplyAdd(c8, m, a); c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9).ToScalar();
    }

    /// <summary>Keeps the accumulators alive so the loops are not optimised away.</summary>
    private static float Sink;

    /// <summary>GFLOP/s of the AVX-512 and AVX2 SGEMM micro-kernels on L1-resident panels (kc = 128), interleaved, best of 5 each.</summary>
    private static unsafe (double Wide, double Narrow) MeasureSgemmKernels()
    {
        const int Kc = 128, Calls = 16;
        var (mrWide, nrWide) = SgemmMicroKernels.TileShape(SgemmKernelKind.Avx512);
        var (mrNarrow, nrNarrow) = SgemmMicroKernels.TileShape(SgemmKernelKind.Avx2);
        var buffer = GC.AllocateArray<float>(Kc * (mrWide + nrWide) + mrWide * nrWide + 32, pinned: true);
        for (int i = 0; i < buffer.Length; i++) buffer[i] = 1f / (1 + i % 7);
        double wide = 0, narrow = 0;
        fixed (float* p = buffer)
        {
            float* a = (float*)(((nint)p + 63) & ~(nint)63), b = a + Kc * mrWide, c = b + Kc * nrWide;
            for (int repeat = 0; repeat < 5; repeat++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < Calls; i++) SgemmMicroKernels.Run(SgemmKernelKind.Avx512, Kc, a, b, c, nrWide, 0f);
                wide = Math.Max(wide, 2.0 * mrWide * nrWide * Kc * Calls / Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9) / 1e9);
                start = Stopwatch.GetTimestamp();
                for (int i = 0; i < 4 * Calls; i++) SgemmMicroKernels.Run(SgemmKernelKind.Avx2, Kc, a, b, c, nrNarrow, 0f);
                narrow = Math.Max(narrow, 2.0 * mrNarrow * nrNarrow * Kc * 4 * Calls / Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9) / 1e9);
            }
        }
        return (wide, narrow);
    }
}
