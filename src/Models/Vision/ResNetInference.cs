// The evaluation-mode forward of a ResNet (Vision/ResNet) as one fused, channel-blocked pipeline — what
// ONNX Runtime's NCHWc transformer and oneDNN do for such networks:
//   NCHW images → blocked (BlockedLayout, zero border = padding)
//   stem:   conv 7×7/2 + BN + ReLU (DirectConv2d, BN folded into the weights) → max pool 3×3/2 (BlockedMaxPool)
//   block:  h = ReLU(conv3×3(x) + b1);  s = conv1×1(x) + bd (projection) or x;  y = ReLU(conv3×3(h) + b2 + s)
//           — three kernel calls, each writing its output once; the residual add and the ReLU are done on
//           the accumulators before the store
//   blocked map → NCHW (B, F, G, G)
// Nothing is lowered, packed or normalised per call: the weights are packed once, with the batch norms
// folded in, and rebuilt when any weight or statistic changes (Tensor.Version). Same values as the layer-
// by-layer forward up to float32 summation order (the tests hold them to each other), no gradient.
// Shape key: B = batch, S = image side, C = channels, G = grid side.
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Vision;

/// <summary>Packed, BN-folded weights of a <see cref="ResNet"/> and the blocked forward that uses them.</summary>
internal sealed unsafe class ResNetInference
{
    /// <summary>One convolution with its batch norm folded in; 3×3 stride-1 ones also in the Winograd domain.</summary>
    private sealed record FusedConv(DirectConvWeights Weights, WinogradWeights? Winograd, int Stride, int Padding);

    /// <summary>One basic block.</summary>
    private sealed record Block(FusedConv First, FusedConv Second, FusedConv? Projection);

    private const int Lanes = BlockedLayout.VectorLanes;

    /// <summary>
    /// Off: evaluation runs layer by layer as in training mode (same values up to summation order). Only the
    /// benchmark's A/B command turns it off, to measure this path against that one in one process.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Off: 3×3 stride-1 convolutions run on the direct kernel too (for the same A/B measurements).</summary>
    internal static bool WinogradEnabled { get; set; } = true;

    private readonly FusedConv stem;
    private readonly Block[][] stages;
    private readonly int[] stageChannels;
    private readonly Tensor[] sources;
    private readonly long builtAt;

    private ResNetInference(FusedConv stem, Block[][] stages, int[] stageChannels, Tensor[] sources, long builtAt)
    {
        this.stem = stem;
        this.stages = stages;
        this.stageChannels = stageChannels;
        this.sources = sources;
        this.builtAt = builtAt;
    }

    /// <summary>Whether this CPU and the network's shapes allow the blocked forward.</summary>
    public static bool Supports(ResNet network)
        => Enabled && DirectConv2d.IsSupported && network.Spec.StemChannels % DirectConvWeights.Tile == 0 && network.Spec.StageChannels.All(c => c % DirectConvWeights.Tile == 0);

    /// <summary>Packs every convolution of <paramref name="network"/> with its batch norm folded in.</summary>
    public static ResNetInference Build(ResNet network)
    {
        long clock = Tensor.Clock;      // read first: a change made while packing makes the plan stale at once
        var sources = new List<Tensor>();
        FusedConv Fold(Conv2d conv, BatchNormBase norm, int inLanes)
        {
            sources.AddRange(norm.NamedParameters().Concat(norm.NamedBuffers()).Select(p => p.Tensor));
            sources.Add(conv.Weight);
            var (scale, shift) = norm.EvaluationAffine();
            if (conv.Bias is { } b)
            {
                sources.Add(b);
                for (int o = 0; o < shift.Length; o++) shift[o] += b.Data[o] * scale[o];
            }
            var o2 = conv.Options;
            bool winograd = o2.Kernel == (3, 3) && o2.Stride == (1, 1) && o2.Padding == (1, 1) && o2.Dilation == (1, 1) && inLanes == Lanes;
            return new FusedConv(DirectConvWeights.Pack(conv.Weight.Data, o2.OutChannels, o2.InChannels, o2.Kernel.H, o2.Kernel.W, inLanes, scale, shift),
                winograd ? WinogradWeights.Pack(conv.Weight.Data, o2.OutChannels, o2.InChannels, scale, shift) : null, o2.Stride.H, o2.Padding.H);
        }
        var stem = Fold(network.StemConv, network.StemNorm, inLanes: 3);
        var stages = new Block[network.StageCount][];
        for (int k = 0; k < stages.Length; k++)
        {
            var blocks = network.StageBlocks(k);
            stages[k] = blocks.Select(b => new Block(Fold(b.Conv1, b.Bn1, Lanes), Fold(b.Conv2, b.Bn2, Lanes),
                b.Projection is { } p ? Fold(p.Conv, p.Norm, Lanes) : null)).ToArray();
        }
        return new ResNetInference(stem, stages, network.Spec.StageChannels, [.. sources], clock);
    }

    /// <summary>False once any weight or statistic the plan was packed from has changed (<see cref="Tensor.MarkModified"/>).</summary>
    public bool IsCurrent
    {
        get
        {
            foreach (var t in sources)
                if (t.Version > builtAt) return false;
            return true;
        }
    }

    /// <summary>As <see cref="ResNet.ForwardStages"/> in evaluation mode, without gradient; the result belongs to the current scope.</summary>
    public Tensor Forward(Tensor input, int from, int to)
    {
        int batch = input.Size(0);
        BlockedLayout xl;
        float[] x;
        if (from == 0)
        {
            int side = input.Size(2), width = input.Size(3);
            var imageLayout = new BlockedLayout(batch, 3, 3, side, width, stem.Padding);
            var images = BufferPool.Rent(imageLayout.Length);
            fixed (float* p = images) imageLayout.FromNchw(input.Data, p);
            int convH = DirectConv2d.OutputSize(side, stem.Weights.KernelH, stem.Stride, stem.Padding);
            int convW = DirectConv2d.OutputSize(width, stem.Weights.KernelW, stem.Stride, stem.Padding);
            var stemLayout = new BlockedLayout(batch, stem.Weights.OutChannels, Lanes, convH, convW, 0);   // the pool clips its windows: no border
            var stemOut = BufferPool.Rent(stemLayout.Length);
            Convolve(stem, imageLayout, images, stemLayout, stemOut, default, null, relu: true);
            BufferPool.Return(images);
            int poolH = BlockedMaxPool.OutputSize(convH, 3, 2, 1), poolW = BlockedMaxPool.OutputSize(convW, 3, 2, 1);
            xl = new BlockedLayout(batch, stemLayout.Channels, Lanes, poolH, poolW, WinogradConv2d.InputBorder(poolH, poolW));
            x = RentBordered(xl);
            fixed (float* s = stemOut)
            fixed (float* p = x)
                BlockedMaxPool.Forward(3, 2, 1, stemLayout, s, xl, p);
            BufferPool.Return(stemOut);
        }
        else
        {
            xl = new BlockedLayout(batch, input.Size(1), Lanes, input.Size(2), input.Size(3), WinogradConv2d.InputBorder(input.Size(2), input.Size(3)));
            x = BufferPool.Rent(xl.Length);
            fixed (float* p = x) xl.FromNchw(input.Data, p);
        }

        for (int k = from; k < to; k++)
            foreach (var block in stages[k])
            {
                int channels = block.First.Weights.OutChannels;
                int outH = DirectConv2d.OutputSize(xl.Height, 3, block.First.Stride, block.First.Padding);
                int outW = DirectConv2d.OutputSize(xl.Width, 3, block.First.Stride, block.First.Padding);
                int border = WinogradConv2d.InputBorder(outH, outW);        // 1, or 2 where a Winograd tile reads past an odd side
                var hl = new BlockedLayout(batch, channels, Lanes, outH, outW, border);
                var h = RentBordered(hl);
                Convolve(block.First, xl, x, hl, h, default, null, relu: true);
                var (rl, shortcut) = (xl, x);
                float[]? projected = null;
                if (block.Projection is { } projection)
                {
                    rl = new BlockedLayout(batch, channels, Lanes, outH, outW, 0);
                    shortcut = projected = BufferPool.Rent(rl.Length);
                    Convolve(projection, xl, x, rl, projected, default, null, relu: false);
                }
                var yl = new BlockedLayout(batch, channels, Lanes, outH, outW, border);
                var y = RentBordered(yl);
                Convolve(block.Second, hl, h, yl, y, rl, shortcut, relu: true);
                BufferPool.Return(h);
                if (projected is not null) BufferPool.Return(projected);
                BufferPool.Return(x);
                (x, xl) = (y, yl);
            }

        var output = Tensor.Uninitialized([batch, xl.Channels, xl.Height, xl.Width]);           // (B, C, G, G)
        fixed (float* p = x) xl.ToNchw(p, output.Data);
        BufferPool.Return(x);
        return output;
    }

    private static void Convolve(FusedConv conv, BlockedLayout inLayout, float[] input, BlockedLayout outLayout, float[] output,
        BlockedLayout residualLayout, float[]? residual, bool relu)
    {
        fixed (float* i = input)
        fixed (float* o = output)
        fixed (float* r = residual)
        {
            if (conv.Winograd is { } w && WinogradEnabled && inLayout.Border >= WinogradConv2d.InputBorder(inLayout.Height, inLayout.Width)
                && WinogradConv2d.Pays(WinogradConv2d.TileCount(inLayout.Batch, inLayout.Height, inLayout.Width), Parallelism.DegreeOfParallelism))
                WinogradConv2d.Forward(w, inLayout, i, outLayout, o, residualLayout, r, relu);
            else
                DirectConv2d.Forward(conv.Weights, conv.Stride, conv.Padding, inLayout, i, outLayout, o, residualLayout, r, relu);
        }
    }

    /// <summary>A pooled buffer for <paramref name="layout"/> with its border zeroed (the interior is written by the producer).</summary>
    private static float[] RentBordered(BlockedLayout layout)
    {
        var buffer = BufferPool.Rent(layout.Length);
        fixed (float* p = buffer) layout.ClearBorder(p);
        return buffer;
    }
}
