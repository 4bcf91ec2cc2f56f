// Convolution weights packed for the direct convolution (DirectConv2d), with an evaluation-mode batch
// norm folded in:
//   W'[o, c, ky, kx] = W[o, c, ky, kx] · scale[o],   bias'[o] = shift[o]
// so that BN(conv(x)) = conv'(x) + bias' (scale = γ/√(var + ε), shift = β − mean·scale; see
// BatchNormBase.EvaluationAffine). Layout: (O/T, CB, KH, KW, L, T), T = 32 output channels per tile (two
// AVX-512 vectors), CB·L input channels in blocks of L lanes as the input activation (BlockedLayout): the
// kernel reads the T weights of one (input channel, tap) as two contiguous vectors, in exactly the order
// its loops visit them. Input lanes past C are zero.
// Shape key: O = output channels, C = input channels, KH/KW = kernel, CB = input blocks, L = lanes, T = tile.
namespace Pipeline.Models.Kernels;

/// <summary>Packed, BN-folded weights of one convolution for <see cref="DirectConv2d"/>.</summary>
internal sealed class DirectConvWeights
{
    /// <summary>Output channels per tile (two 16-float vectors).</summary>
    public const int Tile = 32;

    private DirectConvWeights(int outChannels, int inChannels, int inLanes, int kernelH, int kernelW, float[] packed, float[] bias)
    {
        OutChannels = outChannels;
        InChannels = inChannels;
        InLanes = inLanes;
        KernelH = kernelH;
        KernelW = kernelW;
        Packed = packed;
        Bias = bias;
    }

    /// <summary>Output channels O (a multiple of <see cref="Tile"/>).</summary>
    public int OutChannels { get; }
    /// <summary>Input channels C.</summary>
    public int InChannels { get; }
    /// <summary>Lanes L of the input's channel blocks.</summary>
    public int InLanes { get; }
    /// <summary>Input channel blocks CB.</summary>
    public int InBlocks => (InChannels + InLanes - 1) / InLanes;
    /// <summary>Kernel height.</summary>
    public int KernelH { get; }
    /// <summary>Kernel width.</summary>
    public int KernelW { get; }
    /// <summary>(O/T, CB, KH, KW, L, T) weights.</summary>
    public float[] Packed { get; }
    /// <summary>(O) bias added before the residual and ReLU.</summary>
    public float[] Bias { get; }
    /// <summary>Floats of one output tile's weights.</summary>
    public int TileLength => InBlocks * KernelH * KernelW * InLanes * Tile;

    /// <summary>
    /// Packs (O, C, KH, KW) <paramref name="weight"/> for input blocks of <paramref name="inLanes"/> lanes; with
    /// <paramref name="scale"/> each output channel's weights are multiplied by it, <paramref name="shift"/> becomes the bias.
    /// The packed weights and bias go into <paramref name="packed"/> and <paramref name="bias"/> when given (at least
    /// <see cref="PackedLength"/> and O floats — training packs every step into pooled buffers), else into new arrays.
    /// </summary>
    public static DirectConvWeights Pack(ReadOnlySpan<float> weight, int outChannels, int inChannels, int kernelH, int kernelW, int inLanes,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, float[]? packed = null, float[]? bias = null)
    {
        if (outChannels % Tile != 0) throw new ArgumentException($"direct conv: {outChannels} output channels are not a multiple of {Tile}.");
        if (weight.Length != outChannels * inChannels * kernelH * kernelW) throw new ArgumentException("direct conv: the weight does not have O·C·KH·KW elements.");
        if (!scale.IsEmpty && scale.Length != outChannels || !shift.IsEmpty && shift.Length != outChannels)
            throw new ArgumentException($"direct conv: scale and shift need {outChannels} values.");
        int blocks = (inChannels + inLanes - 1) / inLanes;
        packed = Destination(packed, PackedLength(outChannels, inChannels, kernelH, kernelW, inLanes), "packed");
        int i = 0;
        for (int tile = 0; tile < outChannels / Tile; tile++)
            for (int cb = 0; cb < blocks; cb++)
                for (int ky = 0; ky < kernelH; ky++)
                    for (int kx = 0; kx < kernelW; kx++)
                        for (int l = 0; l < inLanes; l++)
                        {
                            int c = cb * inLanes + l;
                            for (int t = 0; t < Tile; t++, i++)
                            {
                                int o = tile * Tile + t;
                                packed[i] = c < inChannels ? weight[((o * inChannels + c) * kernelH + ky) * kernelW + kx] * (scale.IsEmpty ? 1f : scale[o]) : 0f;
                            }
                        }
        bias = Destination(bias, outChannels, "bias");
        if (shift.IsEmpty) Array.Clear(bias, 0, outChannels);
        else shift.CopyTo(bias);
        return new DirectConvWeights(outChannels, inChannels, inLanes, kernelH, kernelW, packed, bias);
    }

    /// <summary>
    /// Packs the weights of one phase of a convolution's input gradient (DirectConvInputGradient): the transposed
    /// convolution from the layer's O outputs back to its C inputs, restricted to some kernel taps, with
    /// W'[c, o, i, j] = W[o, c, rowTaps[i], columnTaps[j]] for (O, C, K, K) <paramref name="weight"/>; 16 input lanes, no bias.
    /// </summary>
    public static DirectConvWeights PackTransposed(ReadOnlySpan<float> weight, int layerOutChannels, int layerInChannels, int kernel,
        ReadOnlySpan<int> rowTaps, ReadOnlySpan<int> columnTaps, float[]? packed = null, float[]? bias = null)
    {
        const int Lanes = BlockedLayout.VectorLanes;
        if (layerInChannels % Tile != 0) throw new ArgumentException($"direct conv: {layerInChannels} outputs of the transposed convolution are not a multiple of {Tile}.");
        if (weight.Length != layerOutChannels * layerInChannels * kernel * kernel) throw new ArgumentException("direct conv: the weight is not (O, C, K, K).");
        int th = rowTaps.Length, tw = columnTaps.Length, blocks = (layerOutChannels + Lanes - 1) / Lanes;
        packed = Destination(packed, PackedLength(layerInChannels, layerOutChannels, th, tw, Lanes), "packed");
        int i = 0;
        for (int tile = 0; tile < layerInChannels / Tile; tile++)
            for (int cb = 0; cb < blocks; cb++)
                for (int ky = 0; ky < th; ky++)
                    for (int kx = 0; kx < tw; kx++)
                        for (int l = 0; l < Lanes; l++)
                        {
                            int o = cb * Lanes + l;
                            if (o >= layerOutChannels) { packed.AsSpan(i, Tile).Clear(); i += Tile; continue; }
                            int from = (o * layerInChannels + tile * Tile) * kernel * kernel + rowTaps[ky] * kernel + columnTaps[kx];
                            for (int t = 0; t < Tile; t++, i++, from += kernel * kernel) packed[i] = weight[from];
                        }
        bias = Destination(bias, layerInChannels, "bias");
        Array.Clear(bias, 0, layerInChannels);
        return new DirectConvWeights(layerInChannels, layerOutChannels, Lanes, th, tw, packed, bias);
    }

    /// <summary>Floats of the packed weights of a convolution.</summary>
    public static int PackedLength(int outChannels, int inChannels, int kernelH, int kernelW, int inLanes)
        => outChannels / Tile * ((inChannels + inLanes - 1) / inLanes) * kernelH * kernelW * inLanes * Tile;

    private static float[] Destination(float[]? given, int length, string name)
    {
        if (given is null) return new float[length];
        if (given.Length < length) throw new ArgumentException($"direct conv: the {name} buffer has {given.Length} floats, fewer than {length}.");
        return given;
    }
}
