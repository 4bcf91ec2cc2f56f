// 3×3 convolution weights in the Winograd F(2×2, 3×3) domain (Lavin & Gray 2016, "Fast Algorithms for
// Convolutional Neural Networks"), with an evaluation-mode batch norm folded in as for DirectConvWeights:
//   U[o, c] = G · (g[o, c] · scale[o]) · Gᵀ   (4×4),   G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
// computed in double. Layout: (16, O/T, CB, L, T) — for each of the 16 positions ξ = 4i + j of the 4×4
// domain, the (C × O) matrix U_ξ in DirectConvWeights' 1×1 layout, so the GEMM of one position runs on the
// direct convolution's register-blocked kernel. L = 16 input lanes, T = 32 output channels.
// Shape key: O/C = output/input channels, CB = input blocks, L = lanes, T = tile.
namespace Pipeline.Models.Kernels;

/// <summary>Winograd-domain, BN-folded weights of one 3×3 convolution for <see cref="WinogradConv2d"/>.</summary>
internal sealed class WinogradWeights
{
    /// <summary>Positions of the 4×4 transformed tile.</summary>
    public const int Positions = 16;

    private WinogradWeights(int outChannels, int inChannels, float[] packed, float[] bias)
    {
        OutChannels = outChannels;
        InChannels = inChannels;
        Packed = packed;
        Bias = bias;
    }

    /// <summary>Output channels O (a multiple of <see cref="DirectConvWeights.Tile"/>).</summary>
    public int OutChannels { get; }
    /// <summary>Input channels C.</summary>
    public int InChannels { get; }
    /// <summary>Input channel blocks CB of 16 lanes.</summary>
    public int InBlocks => (InChannels + BlockedLayout.VectorLanes - 1) / BlockedLayout.VectorLanes;
    /// <summary>(16, O/T, CB, L, T) weights.</summary>
    public float[] Packed { get; }
    /// <summary>(O) bias added after the output transform.</summary>
    public float[] Bias { get; }
    /// <summary>Floats of one output tile's weights at one position.</summary>
    public int TileLength => InBlocks * BlockedLayout.VectorLanes * DirectConvWeights.Tile;
    /// <summary>Floats of one position's weights.</summary>
    public int PositionLength => OutChannels / DirectConvWeights.Tile * TileLength;

    /// <summary>
    /// Transforms and packs (O, C, 3, 3) <paramref name="weight"/>; scale and shift as in <see cref="DirectConvWeights.Pack"/>.
    /// The packed weights and bias go into <paramref name="packed"/> and <paramref name="bias"/> when given (at least
    /// <see cref="PackedLength"/> and O floats), else into new arrays.
    /// </summary>
    public static WinogradWeights Pack(ReadOnlySpan<float> weight, int outChannels, int inChannels, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        float[]? packed = null, float[]? bias = null)
    {
        if (weight.Length != outChannels * inChannels * 9) throw new ArgumentException("winograd conv: the weight is not (O, C, 3, 3).");
        if (!scale.IsEmpty && scale.Length != outChannels || !shift.IsEmpty && shift.Length != outChannels)
            throw new ArgumentException($"winograd conv: scale and shift need {outChannels} values.");
        return PackCore(weight, outChannels, inChannels, scale, shift, transposeFlip: false, packed, bias);
    }

    /// <summary>
    /// The weights of a 3×3 stride-1 padding-1 layer's input gradient (DirectConvInputGradient): the transposed
    /// convolution from the layer's O outputs to its C inputs, g'[c, o] = W[o, c] rotated by 180°, for (O, C, 3, 3)
    /// <paramref name="weight"/>; no bias.
    /// </summary>
    public static WinogradWeights PackTransposed(ReadOnlySpan<float> weight, int layerOutChannels, int layerInChannels, float[]? packed = null, float[]? bias = null)
    {
        if (weight.Length != layerOutChannels * layerInChannels * 9) throw new ArgumentException("winograd conv: the weight is not (O, C, 3, 3).");
        return PackCore(weight, layerInChannels, layerOutChannels, default, default, transposeFlip: true, packed, bias);
    }

    /// <summary>Floats of the packed weights.</summary>
    public static int PackedLength(int outChannels, int inChannels)
        => Positions * outChannels / DirectConvWeights.Tile * ((inChannels + BlockedLayout.VectorLanes - 1) / BlockedLayout.VectorLanes) * BlockedLayout.VectorLanes * DirectConvWeights.Tile;

    /// <summary>
    /// Packs the kernels g[o, c] (3×3) of a convolution with O outputs and C inputs: weight[o, c] itself, or with
    /// <paramref name="transposeFlip"/> weight[c, o] (weight then being (C, O, 3, 3)) rotated by 180°.
    /// </summary>
    private static WinogradWeights PackCore(ReadOnlySpan<float> weight, int outChannels, int inChannels, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        bool transposeFlip, float[]? packed, float[]? bias)
    {
        const int Tile = DirectConvWeights.Tile, Lanes = BlockedLayout.VectorLanes;
        if (outChannels % Tile != 0) throw new ArgumentException($"winograd conv: {outChannels} output channels are not a multiple of {Tile}.");
        int blocks = (inChannels + Lanes - 1) / Lanes;
        int tileLength = blocks * Lanes * Tile, positionLength = outChannels / Tile * tileLength;
        int length = PackedLength(outChannels, inChannels);
        if (packed is null) packed = new float[length];
        else if (packed.Length < length) throw new ArgumentException($"winograd conv: the packed buffer has {packed.Length} floats, fewer than {length}.");
        else if (inChannels % Lanes != 0) Array.Clear(packed);   // unused lanes must be zero
        Span<double> u = stackalloc double[Positions];
        Span<float> kernel = stackalloc float[9];
        for (int o = 0; o < outChannels; o++)
        {
            double s = scale.IsEmpty ? 1.0 : scale[o];
            for (int c = 0; c < inChannels; c++)
            {
                if (transposeFlip)
                {
                    var source = weight.Slice((c * outChannels + o) * 9, 9);
                    for (int k = 0; k < 9; k++) kernel[k] = source[8 - k];
                }
                else weight.Slice((o * inChannels + c) * 9, 9).CopyTo(kernel);
                Transform(kernel, s, u);
                int within = (o / Tile * blocks + c / Lanes) * Lanes * Tile + c % Lanes * Tile + o % Tile;
                for (int xi = 0; xi < Positions; xi++) packed[xi * positionLength + within] = (float)u[xi];
            }
        }
        if (bias is null) bias = new float[outChannels];
        else if (bias.Length < outChannels) throw new ArgumentException($"winograd conv: the bias buffer has {bias.Length} floats, fewer than {outChannels}.");
        if (shift.IsEmpty) Array.Clear(bias, 0, outChannels);
        else shift.CopyTo(bias);
        return new WinogradWeights(outChannels, inChannels, packed, bias);
    }

    /// <summary>u = G · (g·scale) · Gᵀ for one 3×3 kernel g (row-major), in double.</summary>
    private static void Transform(ReadOnlySpan<float> g, double scale, Span<double> u)
    {
        Span<double> gg = stackalloc double[12];                         // G·g: 4 rows × 3 columns
        for (int x = 0; x < 3; x++)
        {
            double g0 = g[x] * scale, g1 = g[3 + x] * scale, g2 = g[6 + x] * scale;
            gg[x] = g0;
            gg[3 + x] = 0.5 * (g0 + g1 + g2);
            gg[6 + x] = 0.5 * (g0 - g1 + g2);
            gg[9 + x] = g2;
        }
        for (int i = 0; i < 4; i++)                                      // (G·g)·Gᵀ
        {
            double a = gg[3 * i], b = gg[3 * i + 1], c = gg[3 * i + 2];
            u[4 * i] = a;
            u[4 * i + 1] = 0.5 * (a + b + c);
            u[4 * i + 2] = 0.5 * (a - b + c);
            u[4 * i + 3] = c;
        }
    }
}
