// The reorders between NCHW and channel-blocked buffers (BlockedLayout), against element-by-element index
// arithmetic: full 16-lane blocks go through the 16×16 register transposes (Transpose16) — border-free planes
// as one run of H·W pixels, bordered ones row by row — with pixel counts that are and are not multiples of 16;
// partial blocks, 3-lane layouts and strided adds go element by element.
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class BlockedLayoutTests
{
    public static TheoryData<int, int, int, int, int, int> Layouts => new()
    {
        // batch, channels, lanes, height, width, border
        { 2, 40, 16, 9, 13, 0 },      // border-free: one run of 117 pixels per plane (7 transposes + 5 pixels), a partial block
        { 2, 32, 16, 17, 18, 1 },     // bordered rows of 18 pixels
        { 1, 16, 16, 4, 4, 0 },       // exactly one transpose per plane
        { 3, 3, 3, 5, 7, 2 },         // RGB layout
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reorders_match_the_index_arithmetic(int batch, int channels, int lanes, int height, int width, int border)
    {
        var layout = new BlockedLayout(batch, channels, lanes, height, width, border);
        var random = new Random(channels * 100 + width);
        var source = BlockedBuffers.Uniform(random, batch * channels * height * width, 1.0);
        var blocked = new float[layout.Length];
        Array.Fill(blocked, 5f);                                  // border and unused lanes must come out zero
        var back = new float[source.Length];
        var sum = BlockedBuffers.Uniform(random, source.Length, 1.0);
        var expectedSum = (float[])sum.Clone();
        fixed (float* b = blocked)
        {
            layout.FromNchw(source, b);
            for (int i = 0; i < blocked.Length; i++)
            {
                int image = i / layout.ImageStride, rest = i % layout.ImageStride;
                int block = rest / layout.BlockStride, inBlock = rest % layout.BlockStride;
                int y = inBlock / layout.RowStride - border, x = inBlock % layout.RowStride / lanes - border, lane = inBlock % lanes;
                int channel = block * lanes + lane;
                float expected = y < 0 || y >= height || x < 0 || x >= width || channel >= channels ? 0f : source[((image * channels + channel) * height + y) * width + x];
                Assert.True(expected == blocked[i], $"blocked[{i}] (image {image}, channel {channel}, y {y}, x {x}): {blocked[i]}, expected {expected}");
            }
            layout.ToNchw(b, back);
            Assert.Equal(source, back);
            layout.AddToNchw(b, sum, height, width, 1, 0, 0);
        }
        for (int i = 0; i < sum.Length; i++) expectedSum[i] += source[i];
        Assert.Equal(expectedSum, sum);
    }

    [Fact]
    public void Strided_add_writes_every_step_th_pixel_from_the_phase()
    {
        var layout = new BlockedLayout(1, 32, 16, 3, 4, 0);             // a 3×4 phase of a 6×8 map, phase (1, 0)
        var random = new Random(9);
        var phase = BlockedBuffers.Uniform(random, 32 * 3 * 4, 1.0);
        var blocked = new float[layout.Length];
        var target = new float[32 * 6 * 8];
        fixed (float* b = blocked)
        {
            layout.FromNchw(phase, b);
            layout.AddToNchw(b, target, 6, 8, 2, 1, 0);
        }
        for (int c = 0; c < 32; c++)
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 8; x++)
                {
                    float expected = y % 2 == 1 && x % 2 == 0 ? phase[(c * 3 + y / 2) * 4 + x / 2] : 0f;
                    Assert.Equal(expected, target[(c * 6 + y) * 8 + x]);
                }
        Assert.Throws<ArgumentException>(() => { fixed (float* b = blocked) layout.AddToNchw(b, target, 5, 8, 2, 1, 0); });
    }
}
