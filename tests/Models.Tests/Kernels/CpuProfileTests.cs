// The start-up CPU profile: identification is plausible, the measured throughputs exist exactly for the
// instruction sets the CPU has, and the SGEMM kernel it chose can run here (the SGEMM tests then cover it);
// the blocked convolutions follow the fixed capability rule (AVX-512F), not a timing, unless overridden.
using System.Runtime.Intrinsics.X86;
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public sealed class CpuProfileTests
{
    [Fact]
    public void Profile_matches_the_instruction_sets_and_chooses_a_runnable_kernel()
    {
        var profile = CpuProfile.Current;
        Assert.True(SgemmMicroKernels.IsSupported(SgemmMicroKernels.Best));
        Assert.Equal(profile.Sgemm, SgemmMicroKernels.Best.ToString());
        Assert.Equal(Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, profile.HasAvx512);
        Assert.Equal(profile.HasAvx512, profile.Fma512Gflops > 0);
        Assert.Equal(profile.HasAvx2, profile.Fma256Gflops > 0);
        if (X86Base.IsSupported)
        {
            Assert.True(profile.Family > 0, $"family {profile.Family}");
            Assert.Equal(12, profile.Vendor.Length);
        }
        Assert.Contains($"family {profile.Family} model {profile.Model}", profile.ToString());
    }

    [Fact]
    public void Direct_convolutions_follow_the_capability_rule()
    {
        var profile = CpuProfile.Current;
        string? forced = Environment.GetEnvironmentVariable(CpuProfile.DirectConvOverrideVariable)?.Trim().ToLowerInvariant();
        bool expected = DirectConv2d.IsSupported && forced != "off";
        Assert.Equal(expected, profile.DirectConv);
        Assert.Equal(profile.DirectConv, CpuProfile.DirectConvolutions);
        Assert.Contains($"direct convolutions {(expected ? "on" : "off")}", profile.ToString());
    }
}
