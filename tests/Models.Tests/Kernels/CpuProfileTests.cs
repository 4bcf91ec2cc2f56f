// The start-up CPU profile: identification is plausible, the measured throughputs exist exactly for the
// instruction sets the CPU has, and the SGEMM kernel it chose can run here (the SGEMM tests then cover it).
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
}
