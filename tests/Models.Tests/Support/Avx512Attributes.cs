// Facts and theories for the AVX-512 inference kernels (DirectConv2d, WinogradConv2d). On a CPU without AVX-512
// the engine never calls them, so the tests are reported as skipped with the reason, instead of returning early
// and passing without checking anything (xunit 2 has no run-time skip: the check happens when the attribute is built).
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Support;

/// <summary>A fact that needs the AVX-512 kernels.</summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!DirectConv2d.IsSupported) Skip = Avx512.Reason;
    }
}

/// <summary>A theory that needs the AVX-512 kernels.</summary>
public sealed class Avx512TheoryAttribute : TheoryAttribute
{
    public Avx512TheoryAttribute()
    {
        if (!DirectConv2d.IsSupported) Skip = Avx512.Reason;
    }
}

internal static class Avx512
{
    public const string Reason = "No AVX-512 on this CPU: the engine never calls the direct/Winograd kernels here (their fallback is covered by the other convolution tests).";
}
