// WinogradConv2d (F(2×2, 3×3), inference) against DirectConv2dReference on the same blocked buffers: the
// Winograd weights and the direct weights are packed from the same (O, C, 3, 3) tensor and BN affine map.
// Sizes cover even and odd maps (a last tile half outside the map), chunks shorter than a kernel run (< 7
// tiles), an odd number of runs, residual and ReLU on and off. Tolerance as in DirectConv2dTests: the
// transforms add up to 16 products' worth of rounding per term; 2e-5 of the sum of magnitudes + 1e-6.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class WinogradConv2dTests
{
    public static TheoryData<int, int, int, int, int, bool, bool> Geometries => new()
    {
        // batch, inChannels, outChannels, height, width, residual, relu
        { 2, 16, 32, 8, 8, true, true },
        { 1, 32, 64, 7, 7, true, true },          // odd: 4×4 tiles, the last row/column of tiles half outside
        { 3, 20, 32, 5, 9, false, true },         // channels not a multiple of 16, non-square, odd
        { 1, 16, 32, 2, 4, false, false },        // 2 tiles: fewer than a run
        { 4, 64, 96, 14, 14, true, false },       // several chunks
    };

    [Avx512Theory]
    [MemberData(nameof(Geometries))]
    public void Winograd_matches_the_reference(int batch, int inChannels, int outChannels, int height, int width, bool residual, bool relu)
    {
        var random = new Random(height * 31 + width);
        var weight = BlockedBuffers.Uniform(random, outChannels * inChannels * 9, 0.5);
        var scale = BlockedBuffers.Uniform(random, outChannels, 1.0);
        var shift = BlockedBuffers.Uniform(random, outChannels, 1.0);
        var winograd = WinogradWeights.Pack(weight, outChannels, inChannels, scale, shift);
        var direct = DirectConvWeights.Pack(weight, outChannels, inChannels, 3, 3, 16, scale, shift);
        var inLayout = new BlockedLayout(batch, inChannels, 16, height, width, WinogradConv2d.InputBorder(height, width));
        var outLayout = new BlockedLayout(batch, outChannels, 16, height, width, 1);
        var input = BlockedBuffers.Random(random, inLayout);
        var res = residual ? BlockedBuffers.Random(random, outLayout) : null;
        var fast = new float[outLayout.Length];
        var reference = new float[outLayout.Length];
        Array.Fill(fast, 7f);
        Array.Fill(reference, 7f);
        fixed (float* x = input)
        fixed (float* r = res)
        fixed (float* y = fast)
        fixed (float* e = reference)
        {
            WinogradConv2d.Forward(winograd, inLayout, x, outLayout, y, outLayout, r, relu);
            DirectConv2dReference.Forward(direct, 1, 1, inLayout, x, outLayout, e, outLayout, r, relu);
        }
        double bound = inChannels * 9 * 0.5 + 3;
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(fast[i] - reference[i]) <= 2e-5 * bound + 1e-6, $"element {i}: winograd {fast[i]}, reference {reference[i]}");
    }

    [Fact]
    public void Chunks_are_whole_runs_and_leave_every_thread_work()
    {
        Assert.Equal(112, WinogradConv2d.ChunkTiles(64, 100_000, 2));
        Assert.Equal(42, WinogradConv2d.ChunkTiles(512, 100_000, 2));
        Assert.Equal(14, WinogradConv2d.ChunkTiles(64, 16, 2));
        Assert.True(WinogradConv2d.ChunkTiles(128, 196, 2) * 4 <= 196);
    }
}
