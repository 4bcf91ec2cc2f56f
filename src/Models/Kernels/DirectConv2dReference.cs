// The naive forms of DirectConv2d and DirectConvWeightGradient: the same blocked buffers and packed layouts,
// one output element at a time with bounds tests instead of the border, in double precision. The tests hold the
// fast kernels to them (odd sizes, strides, padding, narrow maps, residual and ReLU on and off, 3- and 16-lane input).
// Shape key: as DirectConv2d.
namespace Pipeline.Models.Kernels;

/// <summary>Reference implementation of <see cref="DirectConv2d.Forward"/>.</summary>
internal static unsafe class DirectConv2dReference
{
    /// <summary>Same contract as <see cref="DirectConv2d.Forward"/>, except that the input border may be smaller than the padding.</summary>
    public static void Forward(DirectConvWeights weights, int stride, int padding, BlockedLayout inLayout, float* input,
        BlockedLayout outLayout, float* output, BlockedLayout residualLayout, float* residual, bool relu)
    {
        int lanes = weights.InLanes, blocks = weights.InBlocks, tile = DirectConvWeights.Tile;
        for (int n = 0; n < outLayout.Batch; n++)
            for (int o = 0; o < weights.OutChannels; o++)
                for (int oy = 0; oy < outLayout.Height; oy++)
                    for (int ox = 0; ox < outLayout.Width; ox++)
                    {
                        double sum = weights.Bias[o];
                        for (int c = 0; c < weights.InChannels; c++)
                            for (int ky = 0; ky < weights.KernelH; ky++)
                                for (int kx = 0; kx < weights.KernelW; kx++)
                                {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if ((uint)iy >= (uint)inLayout.Height || (uint)ix >= (uint)inLayout.Width) continue;
                                    int cb = c / lanes, l = c % lanes;
                                    float w = weights.Packed[((((o / tile * blocks + cb) * weights.KernelH + ky) * weights.KernelW + kx) * lanes + l) * tile + o % tile];
                                    sum += (double)w * input[inLayout.Offset(n, cb, iy, ix) + l];
                                }
                        if (residual is not null) sum += residual[residualLayout.Offset(n, o / BlockedLayout.VectorLanes, oy, ox) + o % BlockedLayout.VectorLanes];
                        if (relu && sum < 0) sum = 0;
                        output[outLayout.Offset(n, o / BlockedLayout.VectorLanes, oy, ox) + o % BlockedLayout.VectorLanes] = (float)sum;
                    }
    }

    /// <summary>
    /// Naive <see cref="DirectConvWeightGradient.Compute"/>: dW[o, c, ky, kx] = Σ dY[n, o, oy, ox] · x[n, c, oy·s − p + ky, ox·s − p + kx]
    /// in double, returned in the packed (O/T, CB, KH, KW, L, T) layout.
    /// </summary>
    public static double[] WeightGradient(int kernelH, int kernelW, int stride, int padding, BlockedLayout inLayout, float* input,
        BlockedLayout gradLayout, float* gradOutput)
    {
        int lanes = inLayout.Lanes, blocks = inLayout.Blocks, tile = DirectConvWeights.Tile, outChannels = gradLayout.Channels;
        var result = new double[DirectConvWeightGradient.PackedLength(outChannels, inLayout, kernelH, kernelW)];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inLayout.Channels; c++)
                for (int ky = 0; ky < kernelH; ky++)
                    for (int kx = 0; kx < kernelW; kx++)
                    {
                        double sum = 0;
                        for (int n = 0; n < inLayout.Batch; n++)
                            for (int oy = 0; oy < gradLayout.Height; oy++)
                                for (int ox = 0; ox < gradLayout.Width; ox++)
                                {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if ((uint)iy >= (uint)inLayout.Height || (uint)ix >= (uint)inLayout.Width) continue;
                                    sum += (double)gradOutput[gradLayout.Offset(n, o / BlockedLayout.VectorLanes, oy, ox) + o % BlockedLayout.VectorLanes]
                                        * input[inLayout.Offset(n, c / lanes, iy, ix) + c % lanes];
                                }
                        result[((((o / tile * blocks + c / lanes) * kernelH + ky) * kernelW + kx) * lanes + c % lanes) * tile + o % tile] = sum;
                    }
        return result;
    }
}
