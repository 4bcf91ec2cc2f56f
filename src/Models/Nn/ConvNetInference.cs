// The evaluation-mode forward of a convolutional network built from conv → batch norm (→ ReLU) layers,
// 3×3 max pools and ResNet basic blocks (Vision/ResNet, Captioning/CaptionEncoder) as one fused,
// channel-blocked pipeline — what ONNX Runtime's NCHWc transformer and oneDNN do for such networks:
//   NCHW input → blocked (Kernels/BlockedLayout; the zero border is the next layer's padding)
//   conv step:  y = ReLU?(conv(x) + b)                 DirectConv2d, or WinogradConv2d for 3×3 stride 1
//   pool step:  y = maxpool(x)                         BlockedMaxPool
//   block step: h = ReLU(conv3×3(x) + b1);  s = conv1×1(x) + bd (projection) or x;  y = ReLU(conv3×3(h) + b2 + s)
//   blocked output → NCHW
// Every batch norm is folded into its convolution's weights (scale) and bias (shift), the residual add and
// the ReLU are applied to the accumulators before the single store, and nothing is lowered, packed or
// normalised per call: the weights are packed once and repacked only when a weight or statistic they came
// from has changed (Tensor.Version). Same values as the layer-by-layer forward up to float32 summation order
// (the tests hold them to each other); no gradient is recorded.
// Shape key: B = batch, C = channels, H/W = map height/width.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Packed, BN-folded weights of a conv network and the blocked forward that uses them.</summary>
internal sealed unsafe class ConvNetInference
{
    /// <summary>
    /// One convolution with its batch norm folded in; 3×3 stride-1 ones also in the Winograd domain. Each form is packed
    /// on first use (a process that only ever runs large batches never packs the direct form of its Winograd layers).
    /// </summary>
    private sealed class FusedConv(Lazy<DirectConvWeights> direct, Lazy<WinogradWeights>? winograd, int outChannels, int kernel, int stride, int padding)
    {
        public DirectConvWeights Weights => direct.Value;
        public Lazy<WinogradWeights>? Winograd { get; } = winograd;
        public int Stride { get; } = stride;
        public int Padding { get; } = padding;
        public int OutChannels { get; } = outChannels;

        /// <summary>Border its input needs at height × width: the padding, or Winograd's tile overhang.</summary>
        public int InputBorder(int height, int width) => Math.Max(Padding, Winograd is null ? 0 : WinogradConv2d.InputBorder(height, width));

        public int OutputHeight(int height) => DirectConv2d.OutputSize(height, kernel, Stride, Padding);
        public int OutputWidth(int width) => DirectConv2d.OutputSize(width, kernel, Stride, Padding);
    }

    private abstract record Step;
    private sealed record ConvStep(FusedConv Conv, bool Relu) : Step;
    private sealed record PoolStep(int Kernel, int Stride, int Padding) : Step;
    private sealed record BlockStep(FusedConv First, FusedConv Second, FusedConv? Projection) : Step;

    private const int Lanes = BlockedLayout.VectorLanes;

    /// <summary>
    /// Off: evaluation runs layer by layer as in training mode (same values up to summation order). Only the
    /// benchmark's A/B command turns it off, to measure this path against that one in one process.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Off: 3×3 stride-1 convolutions run on the direct kernel too (for the same A/B measurements).</summary>
    internal static bool WinogradEnabled { get; set; } = true;

    private readonly Step[] steps;
    private readonly Tensor[] sources;
    private readonly long builtAt;

    private ConvNetInference(Step[] steps, Tensor[] sources, long builtAt)
    {
        this.steps = steps;
        this.sources = sources;
        this.builtAt = builtAt;
    }

    /// <summary>Number of steps (a conv layer, a pool or a residual block each).</summary>
    public int StepCount => steps.Length;

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

    /// <summary>Whether the fused path may run <paramref name="modules"/> on this input: evaluation mode, no gradient wanted, a CPU on which the direct kernels were measured to pay (CpuProfile).</summary>
    public static bool Applies(Tensor input, IEnumerable<Module> modules)
    {
        if (!Enabled || !CpuProfile.DirectConvolutions) return false;
        bool gradients = Autograd.GradMode.IsEnabled;
        if (gradients && input.RequiresGrad) return false;
        foreach (var module in modules)
            foreach (var m in SelfAndDescendants(module))
            {
                if (m is BatchNormBase { IsTraining: true }) return false;
                if (gradients && m.NamedParameters().Any(p => p.Tensor.RequiresGrad)) return false;
            }
        return true;
    }

    private static IEnumerable<Module> SelfAndDescendants(Module module)
        => module.NamedChildren().SelectMany(c => SelfAndDescendants(c.Module)).Prepend(module);

    /// <summary>Collects a network's layers in order, then packs them (<see cref="Build"/>).</summary>
    public sealed class Builder
    {
        private readonly List<Step> steps = [];
        private readonly List<Tensor> sources = [];
        private readonly long clock = Tensor.Clock;     // read first: a change made while packing makes the plan stale at once
        private int channels;
        private bool supported = true;

        /// <summary>Starts a network whose input has <paramref name="inputChannels"/> channels.</summary>
        public Builder(int inputChannels) => channels = inputChannels;

        /// <summary>Adds conv → batch norm (→ ReLU).</summary>
        public Builder Conv(Conv2d conv, BatchNormBase norm, bool relu)
        {
            var fused = Fold(conv, norm);
            if (fused is not null) steps.Add(new ConvStep(fused, relu));
            return this;
        }

        /// <summary>Adds a max pool (square window).</summary>
        public Builder MaxPool(Pool2dOptions options)
        {
            var (kh, kw, sh, sw, ph, pw) = options.Resolve("max_pool2d");
            if (kh != kw || sh != sw || ph != pw) supported = false;
            steps.Add(new PoolStep(kh, sh, ph));
            return this;
        }

        /// <summary>Adds a basic residual block.</summary>
        public Builder Block(ResidualBlock block)
        {
            int inChannels = channels;
            var first = Fold(block.Conv1, block.Bn1);
            var second = Fold(block.Conv2, block.Bn2);
            FusedConv? projection = null;
            if (block.Projection is { } p)
            {
                channels = inChannels;
                projection = Fold(p.Conv, p.Norm);
            }
            if (first is not null && second is not null) steps.Add(new BlockStep(first, second, projection));
            return this;
        }

        /// <summary>The plan, or null when a layer is outside what the kernels run (the caller then goes layer by layer).</summary>
        public ConvNetInference? Build() => supported ? new ConvNetInference([.. steps], [.. sources], clock) : null;

        private FusedConv? Fold(Conv2d conv, BatchNormBase norm)
        {
            var o = conv.Options;
            int inLanes = o.InChannels < Lanes ? o.InChannels : Lanes;
            if (o.InChannels != channels || o.Kernel.H != o.Kernel.W || o.Stride.H != o.Stride.W || o.Padding.H != o.Padding.W || o.Dilation != (1, 1)
                || norm.Options.NumFeatures != o.OutChannels || !DirectConv2d.Supports(o.OutChannels, inLanes, o.Stride.H))
            {
                supported = false;
                return null;
            }
            sources.AddRange(norm.NamedParameters().Concat(norm.NamedBuffers()).Select(p => p.Tensor));
            sources.Add(conv.Weight);
            var (scale, shift) = norm.EvaluationAffine();
            if (conv.Bias is { } b)
            {
                sources.Add(b);
                for (int c = 0; c < shift.Length; c++) shift[c] += b.Data[c] * scale[c];
            }
            bool winograd = o.Kernel == (3, 3) && o.Stride == (1, 1) && o.Padding == (1, 1) && inLanes == Lanes;
            channels = o.OutChannels;
            // Packed lazily from the live weight: a change of it after the build bumps its version, so the caller (which
            // checks IsCurrent before every forward) rebuilds the plan before these could be packed from it.
            var weight = conv.Weight;
            return new FusedConv(
                new Lazy<DirectConvWeights>(() => DirectConvWeights.Pack(weight.Data, o.OutChannels, o.InChannels, o.Kernel.H, o.Kernel.W, inLanes, scale, shift)),
                winograd ? new Lazy<WinogradWeights>(() => WinogradWeights.Pack(weight.Data, o.OutChannels, o.InChannels, scale, shift)) : null,
                o.OutChannels, o.Kernel.H, o.Stride.H, o.Padding.H);
        }
    }

    /// <summary>Runs steps [<paramref name="from"/>, <paramref name="to"/>) on NCHW <paramref name="input"/>; the result (NCHW) belongs to the current scope.</summary>
    public Tensor Forward(Tensor input, int from, int to)
    {
        if (input.Rank != 4) throw new ShapeMismatchException("conv_net_inference", $"input {TensorShape.Format(input.Shape)} is not (B, C, H, W)");
        if (from < 0 || to > steps.Length || from >= to) throw new ArgumentOutOfRangeException(nameof(from), $"steps [{from}, {to}) are not within [0, {steps.Length}).");
        int batch = input.Size(0), channels = input.Size(1), height = input.Size(2), width = input.Size(3);
        int inLanes = channels < Lanes ? channels : Lanes;
        var xl = new BlockedLayout(batch, channels, inLanes, height, width, InputBorder(steps[from], height, width));
        var x = BufferPool.Rent(xl.Length);
        fixed (float* p = x) xl.FromNchw(input.Data, p);

        for (int k = from; k < to; k++)
        {
            var next = k + 1 < to ? steps[k + 1] : null;
            (var y, var yl) = steps[k] switch
            {
                ConvStep c => RunConv(c, xl, x, next),
                PoolStep p => RunPool(p, xl, x, next),
                BlockStep b => RunBlock(b, xl, x, next),
                _ => throw new InvalidOperationException("unknown step"),
            };
            BufferPool.Return(x);
            (x, xl) = (y, yl);
        }

        var output = Tensor.Uninitialized([batch, xl.Channels, xl.Height, xl.Width]);   // (B, C, H, W)
        fixed (float* p = x) xl.ToNchw(p, output.Data);
        BufferPool.Return(x);
        return output;
    }

    /// <summary>Border the input of <paramref name="step"/> needs (0 after the last step, and before a pool, which clips its windows).</summary>
    private static int InputBorder(Step? step, int height, int width) => step switch
    {
        ConvStep c => c.Conv.InputBorder(height, width),
        BlockStep b => b.First.InputBorder(height, width),
        _ => 0,
    };

    private static (float[], BlockedLayout) RunConv(ConvStep step, BlockedLayout xl, float[] x, Step? next)
    {
        int h = step.Conv.OutputHeight(xl.Height), w = step.Conv.OutputWidth(xl.Width);
        var yl = new BlockedLayout(xl.Batch, step.Conv.OutChannels, Lanes, h, w, InputBorder(next, h, w));
        var y = RentBordered(yl);
        Convolve(step.Conv, xl, x, yl, y, default, null, step.Relu);
        return (y, yl);
    }

    private static (float[], BlockedLayout) RunPool(PoolStep step, BlockedLayout xl, float[] x, Step? next)
    {
        int h = BlockedMaxPool.OutputSize(xl.Height, step.Kernel, step.Stride, step.Padding), w = BlockedMaxPool.OutputSize(xl.Width, step.Kernel, step.Stride, step.Padding);
        var yl = new BlockedLayout(xl.Batch, xl.Channels, Lanes, h, w, InputBorder(next, h, w));
        var y = RentBordered(yl);
        fixed (float* s = x)
        fixed (float* d = y)
            BlockedMaxPool.Forward(step.Kernel, step.Stride, step.Padding, xl, s, yl, d);
        return (y, yl);
    }

    private static (float[], BlockedLayout) RunBlock(BlockStep step, BlockedLayout xl, float[] x, Step? next)
    {
        int h = step.First.OutputHeight(xl.Height), w = step.First.OutputWidth(xl.Width);
        var hl = new BlockedLayout(xl.Batch, step.First.OutChannels, Lanes, h, w, step.Second.InputBorder(h, w));
        var hidden = RentBordered(hl);
        Convolve(step.First, xl, x, hl, hidden, default, null, relu: true);
        var (rl, shortcut) = (xl, x);
        float[]? projected = null;
        if (step.Projection is { } projection)
        {
            rl = new BlockedLayout(xl.Batch, projection.OutChannels, Lanes, h, w, 0);
            shortcut = projected = BufferPool.Rent(rl.Length);
            Convolve(projection, xl, x, rl, projected, default, null, relu: false);
        }
        var yl = new BlockedLayout(xl.Batch, step.Second.OutChannels, Lanes, h, w, InputBorder(next, h, w));
        var y = RentBordered(yl);
        Convolve(step.Second, hl, hidden, yl, y, rl, shortcut, relu: true);
        BufferPool.Return(hidden);
        if (projected is not null) BufferPool.Return(projected);
        return (y, yl);
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
                WinogradConv2d.Forward(w.Value, inLayout, i, outLayout, o, residualLayout, r, relu);
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
