// im2col fused into the GEMM's B packing ("implicit im2col"). A convolution as a GEMM multiplies the
// weight (O, K) by the column matrix cols (K, N): row k = (channel c, tap ky, kx), column j = (image g of
// the group, output position oy, ox), cols[k, j] = x[g, c, oy·sH − pH + ky·dH, ox·sW − pW + kx·dW]
// (zero outside the image). Materialising cols writes K·N floats (nine times the input for a 3×3
// kernel) and the GEMM then reads them back to pack them; profiled on the encoder that pair was a third
// of an evaluation step. This source writes each KC×NC block of cols directly in the packed panel
// layout, into the GEMM's cache-resident pack buffer, reading the (much smaller, reused) input instead.
//
// Per NR-wide panel the columns are first cut into runs that share an image and an output row (a 32×32
// map gives one run per panel, a 16×16 map two); then every k row copies each run from one input row
// with the explicit lowering's row gather (Im2Col.GatherRow: vector copy for stride 1, even-lane
// deinterleave for stride 2, padding lanes zeroed).
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pipeline.Models.Kernels;

/// <summary>Shape of a 2-D convolution's lowering (one image: channels × height × width).</summary>
internal readonly record struct ConvGeometry(int Channels, int Height, int Width, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW, int OutH, int OutW)
{
    /// <summary>Rows of the column matrix: channels · kernel taps.</summary>
    public int ColumnRows => Channels * KernelH * KernelW;

    /// <summary>Columns per image: output positions.</summary>
    public int Positions => OutH * OutW;

    /// <summary>Floats of one input image.</summary>
    public int ImageSize => Channels * Height * Width;
}

/// <summary>The column matrix of a group of images as an <see cref="IPackedBSource"/>; images are <see cref="ConvGeometry.ImageSize"/> apart.</summary>
internal readonly unsafe struct Im2ColPackedB(ConvGeometry geometry, float* images, int imageCount) : IPackedBSource
{
    /// <summary>One run of panel lanes that read the same input row.</summary>
    private struct Run
    {
        public int Image, OutRow, OutColumn, Length, Lane;
    }

    /// <summary>Where one run reads for one kernel column kx: lanes [Lo, Hi) come from the input row at Offset + i·stride.</summary>
    private struct Span
    {
        public int Lo, Hi, Offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int p0, int kc, int j0, int nc, float* destination, int nr)
    {
        var g = geometry;
        int positions = g.Positions, taps = g.KernelH * g.KernelW;
        Debug.Assert(j0 >= 0 && j0 + nc <= imageCount * positions && p0 >= 0 && p0 + kc <= g.ColumnRows);
        Run* runs = stackalloc Run[nr];
        // The valid lanes of a run depend only on kx, not on the channel or ky: computed once per panel,
        // which keeps divisions out of the per-row loop (they cost more than the 32-float copy itself).
        Span* spans = stackalloc Span[nr * g.KernelW];
        for (int first = 0; first < nc; first += nr)
        {
            int lanes = Math.Min(nr, nc - first);
            int runCount = 0;
            for (int lane = 0, column = j0 + first; lane < lanes;)
            {
                int image = column / positions, position = column % positions;
                int outRow = position / g.OutW, outColumn = position % g.OutW;
                int length = Math.Min(lanes - lane, g.OutW - outColumn);
                for (int x = 0; x < g.KernelW; x++)
                {
                    // Valid i: 0 <= (outColumn + i)·stride + offW < width.
                    int offW = x * g.DilationW - g.PadW;
                    int lo = Math.Clamp(CeilDiv(-offW, g.StrideW) - outColumn, 0, length);
                    int hi = Math.Clamp(CeilDiv(g.Width - offW, g.StrideW) - outColumn, lo, length);
                    spans[runCount * g.KernelW + x] = new Span { Lo = lo, Hi = hi, Offset = outColumn * g.StrideW + offW };
                }
                runs[runCount++] = new Run { Image = image, OutRow = outRow, OutColumn = outColumn, Length = length, Lane = lane };
                lane += length;
                column += length;
            }

            float* panel = destination + (nint)first * kc;
            int channel = p0 / taps, tap = p0 % taps;
            int ky = tap / g.KernelW, kx = tap % g.KernelW;
            for (int p = 0; p < kc; p++)
            {
                float* row = panel + (nint)p * nr;
                for (int lane = lanes; lane < nr; lane++) row[lane] = 0f;
                int offH = ky * g.DilationH - g.PadH;
                for (int r = 0; r < runCount; r++)
                {
                    ref Run run = ref runs[r];
                    int ih = run.OutRow * g.StrideH + offH;
                    float* d = row + run.Lane;
                    if ((uint)ih >= (uint)g.Height)
                    {
                        new System.Span<float>(d, run.Length).Clear();
                        continue;
                    }
                    ref Span span = ref spans[r * g.KernelW + kx];
                    float* source = images + (nint)run.Image * g.ImageSize + ((nint)channel * g.Height + ih) * g.Width + span.Offset;
                    Im2Col.GatherRow(d, source, span.Lo, span.Hi, run.Length, g.StrideW);
                }
                if (++kx == g.KernelW)
                {
                    kx = 0;
                    if (++ky == g.KernelH) { ky = 0; channel++; }
                }
            }
        }
    }

    private static int CeilDiv(int value, int divisor) => value <= 0 ? -(-value / divisor) : (value + divisor - 1) / divisor;
}
