// The float32 tensor: a contiguous row-major view (shape + offset) over reference-counted storage,
// plus the autograd fields (RequiresGrad, Grad, the node that produced it). Ops live in Ops/*.cs as
// static members of this partial class; each op writes its backward next to its forward.
//
// Memory rule: results of ops belong to the innermost active TensorScope on the creating thread and
// are returned to the BufferPool when it ends; tensors from factories (parameters, optimizer state)
// and gradients belong to nobody and are left to the GC.
using System.Runtime.CompilerServices;
using Pipeline.Models.Autograd;

namespace Pipeline.Models.Tensors;

/// <summary>A dense, contiguous, row-major float32 tensor with reverse-mode autograd.</summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] shape;
    internal Storage storage;
    internal readonly int offset;
    private bool disposed;
    internal TensorScope? Owner;

    internal Tensor(int[] shape, Storage storage, int offset)
    {
        this.shape = shape;
        this.storage = storage;
        this.offset = offset;
        Length = TensorShape.Numel(shape);
    }

    /// <summary>The dimensions (do not mutate).</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray() => (int[])shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => shape[TensorShape.NormalizeAxis(axis, shape.Length, "size")];

    /// <summary>The elements in row-major order.</summary>
    public Span<float> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return new Span<float>(storage.Data, offset, Length);
        }
    }

    /// <summary>The single element of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"item: tensor of shape {TensorShape.Format(shape)} has {Length} elements, expected exactly 1.");
        return Data[0];
    }

    /// <summary>Element at a multi-dimensional index (slow; for tests and debugging).</summary>
    [IndexerName("At")]
    public float this[params int[] index]
    {
        get => Data[FlatIndex(index)];
        set => Data[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != shape.Length) throw new ArgumentException($"index has {index.Length} coordinates, tensor has rank {shape.Length}.");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i]) throw new IndexOutOfRangeException($"index {index[i]} out of range for dimension {i} of size {shape[i]}.");
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>Optional name used in error messages and checkpoints.</summary>
    public string? Name { get; set; }

    // ---- version: what caches derived from a tensor's values compare against ----

    private static long s_clock;
    private long version;

    /// <summary>
    /// Stamp of the last in-place change recorded by <see cref="MarkModified"/> (0: never changed since creation).
    /// Stamps come from one process-wide clock, so a cache built when <see cref="Clock"/> read t is current as long
    /// as every tensor it was built from has a version ≤ t.
    /// </summary>
    public long Version => Volatile.Read(ref version);

    /// <summary>The process-wide modification clock (the newest version handed out).</summary>
    public static long Clock => Interlocked.Read(ref s_clock);

    /// <summary>
    /// Records that this tensor's values were changed in place, so that caches derived from them (packed
    /// inference weights, see Nn/ConvNetInference) are rebuilt. Optimizer steps, state-dict loads and
    /// batch-norm running-statistics updates call it; code that writes a parameter's <see cref="Data"/> directly
    /// and then runs inference must call it too.
    /// </summary>
    public void MarkModified() => Volatile.Write(ref version, Interlocked.Increment(ref s_clock));

    // ---- autograd state ----

    /// <summary>Whether gradients flow to this tensor. Set on leaves (parameters); op results inherit it.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!value && GradFn is not null) throw new InvalidOperationException("requires_grad can only be cleared on leaf tensors; use Detach().");
            requiresGrad = value;
        }
    }
    private bool requiresGrad;

    /// <summary>The accumulated gradient (same shape), or null before the first backward pass.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The node that computed this tensor, or null for leaves and tensors made without grad.</summary>
    public GradNode? GradFn { get; internal set; }

    /// <summary>True for tensors not produced by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Keep this non-leaf tensor's gradient after Backward (useful for inspection).</summary>
    public bool RetainGrad { get; set; }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent).</summary>
    public Tensor WithGrad(bool requiresGrad = true) { RequiresGrad = requiresGrad; return this; }

    /// <summary>The gradient buffer, allocated (zeroed, untracked) on first use.</summary>
    internal Span<float> GradBuffer()
    {
        Grad ??= Zeros(shape);
        return Grad.Data;
    }

    /// <summary>Clears the gradient to zero, keeping its buffer.</summary>
    public void ZeroGrad() => Grad?.Data.Clear();

    /// <summary>Runs reverse-mode differentiation from this scalar (or with an explicit output gradient).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Backpropagation.Run(this, gradient, retainGraph);

    /// <summary>A tensor sharing this one's data but cut from the graph.</summary>
    public Tensor Detach()
    {
        storage.AddRef();
        var t = new Tensor(shape, storage, offset);
        TensorScope.Track(t);
        return t;
    }

    // ---- lifetime ----

    /// <summary>Releases this tensor's reference to its storage; the buffer is pooled when no view remains.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        GradFn = null;
        storage.Release();
    }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => disposed;

    /// <summary>Moves this op result out of every scope so it survives them (e.g. a value returned to the caller).</summary>
    public Tensor Keep() { Owner = null; return this; }

    // ---- construction helpers for ops ----

    /// <summary>A pooled, uninitialised result tracked by the active scope.</summary>
    internal static Tensor Uninitialized(int[] shape)
    {
        var t = new Tensor(shape, new Storage(BufferPool.Rent(TensorShape.Numel(shape)), pooled: true), 0);
        TensorScope.Track(t);
        return t;
    }

    /// <summary>A pooled, zero-filled result tracked by the active scope.</summary>
    internal static Tensor ZerosTracked(int[] shape)
    {
        var t = Uninitialized(shape);
        t.Data.Clear();
        return t;
    }

    /// <summary>A view with another shape over the same storage (same element count, contiguous).</summary>
    internal Tensor ViewAs(int[] newShape, int extraOffset = 0)
    {
        storage.AddRef();
        var t = new Tensor(newShape, storage, offset + extraOffset);
        TensorScope.Track(t);
        return t;
    }

    /// <summary>Attaches the backward rule of the op that produced this tensor, when any input needs a gradient.</summary>
    internal Tensor Record(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        if (GradMode.IsEnabled)
        {
            foreach (var input in inputs)
            {
                if (input.RequiresGrad)
                {
                    requiresGrad = true;
                    GradFn = new GradNode(op, inputs, backward);
                    break;
                }
            }
        }
        if (GradMode.DetectAnomaly) Anomaly.CheckForward(op, this);
        return this;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var preview = Length <= 8 ? string.Join(", ", Data.ToArray().Select(v => v.ToString("G6"))) : string.Join(", ", Data[..6].ToArray().Select(v => v.ToString("G6"))) + ", …";
        return $"Tensor{TensorShape.Format(shape)}{(Name is null ? "" : " " + Name)} [{preview}]";
    }
}
