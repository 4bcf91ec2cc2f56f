// Implicit im2col: the packed panels Im2ColPackedB writes must equal explicit im2col columns packed by
// the ordinary B packing, for every geometry the convolutions use (strides 1–3 including the stride-2
// deinterleave, padding, dilation, non-square maps) and for blocks that start mid-channel (p0), mid-image
// or mid-row (j0) and end in a partial panel.
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class Im2ColPackedBTests
{
    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // channels, height, width, kernel, stride, padding, dilation
        { 3, 9, 9, 3, 1, 1, 1 },
        { 2, 32, 32, 3, 1, 1, 1 },
        { 4, 33, 40, 3, 2, 1, 1 },
        { 3, 64, 64, 3, 2, 1, 1 },
        { 2, 11, 7, 3, 3, 2, 1 },
        { 2, 12, 12, 3, 1, 2, 2 },
        { 5, 16, 16, 1, 2, 0, 1 },
        { 1, 6, 50, 4, 1, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void PackedBlocksEqualExplicitColumnsPacked(int channels, int height, int width, int kernel, int stride, int padding, int dilation)
    {
        const int Images = 3, Nr = 32;
        int outH = Im2Col.OutputSize(height, kernel, stride, padding, dilation), outW = Im2Col.OutputSize(width, kernel, stride, padding, dilation);
        var g = new ConvGeometry(channels, height, width, kernel, kernel, stride, stride, padding, padding, dilation, dilation, outH, outW);
        var random = new Random(channels * 1000 + width);
        var input = new float[Images * g.ImageSize];
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble() + 0.5f;   // never 0: a missed zero would show

        int k = g.ColumnRows, n = Images * g.Positions;
        var cols = new float[k * n];                                                           // (K, images·P), side by side
        for (int image = 0; image < Images; image++)
            Im2Col.Im2Col2d(input.AsSpan(image * g.ImageSize, g.ImageSize), channels, height, width, kernel, kernel, stride, stride,
                padding, padding, dilation, dilation, cols.AsSpan(image * g.Positions), n);

        // Whole matrix, then blocks starting mid-channel / mid-image with a partial last panel.
        var blocks = new List<(int P0, int Kc, int J0, int Nc)> { (0, k, 0, n) };
        if (k > 3 && n > 40) blocks.Add((k / 3, k - k / 3 - 1, g.Positions - 5, Math.Min(n - g.Positions + 5, 2 * Nr + 7)));
        if (n > 7) blocks.Add((1, Math.Max(1, k - 2), 7, n - 7));
        fixed (float* images = input)
        fixed (float* colsPointer = cols)
        {
            var implicitSource = new Im2ColPackedB(g, images, Images);
            var explicitSource = new MatrixBSource(false, colsPointer, n);
            foreach (var (p0, kc, j0, nc) in blocks)
            {
                int panels = (nc + Nr - 1) / Nr;
                var expected = new float[panels * kc * Nr];
                var actual = new float[expected.Length];
                Array.Fill(actual, float.NaN);                                                // every lane must be written
                fixed (float* e = expected)
                fixed (float* a = actual)
                {
                    explicitSource.Pack(p0, kc, j0, nc, e, Nr);
                    implicitSource.Pack(p0, kc, j0, nc, a, Nr);
                }
                for (int i = 0; i < expected.Length; i++)
                    if (!(expected[i] == actual[i]))
                        Assert.Fail($"block p0={p0} kc={kc} j0={j0} nc={nc}: packed element {i} (panel {i / (kc * Nr)}, row {i / Nr % kc}, lane {i % Nr}) expected {expected[i]}, got {actual[i]}");
            }
        }
    }
}
