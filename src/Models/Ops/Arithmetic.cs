// Broadcasting elementwise arithmetic (+, −, ×, ÷) and its scalar forms. Forward rows run through
// TensorPrimitives; backward reduces the output gradient over the axes an input was broadcast along.
// Derived forms (sub, scalar ops) reuse the same machinery instead of new backward rules.
using System.Numerics.Tensors;
using Pipeline.Models.Ops;

namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    internal enum BinaryOp { Add, Subtract, Multiply, Divide }

    private readonly struct BinaryRows(BinaryOp op, float[] a, int aBase, float[] b, int bBase, float[] y, int yBase) : IRowKernel
    {
        public void Row(int outOffset, int aOffset, int aStep, int bOffset, int bStep, int n)
        {
            var dst = new Span<float>(y, yBase + outOffset, n);
            if (aStep == 1 && bStep == 1)
            {
                var x1 = new ReadOnlySpan<float>(a, aBase + aOffset, n);
                var x2 = new ReadOnlySpan<float>(b, bBase + bOffset, n);
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(x1, x2, dst); break;
                    case BinaryOp.Subtract: TensorPrimitives.Subtract(x1, x2, dst); break;
                    case BinaryOp.Multiply: TensorPrimitives.Multiply(x1, x2, dst); break;
                    default: TensorPrimitives.Divide(x1, x2, dst); break;
                }
            }
            else if (aStep == 1)
            {
                var x1 = new ReadOnlySpan<float>(a, aBase + aOffset, n);
                float s = b[bBase + bOffset];
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(x1, s, dst); break;
                    case BinaryOp.Subtract: TensorPrimitives.Subtract(x1, s, dst); break;
                    case BinaryOp.Multiply: TensorPrimitives.Multiply(x1, s, dst); break;
                    default: TensorPrimitives.Divide(x1, s, dst); break;
                }
            }
            else if (bStep == 1)
            {
                float s = a[aBase + aOffset];
                var x2 = new ReadOnlySpan<float>(b, bBase + bOffset, n);
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(x2, s, dst); break;
                    case BinaryOp.Subtract: TensorPrimitives.Subtract(s, x2, dst); break;
                    case BinaryOp.Multiply: TensorPrimitives.Multiply(x2, s, dst); break;
                    default: TensorPrimitives.Divide(s, x2, dst); break;
                }
            }
            else dst.Fill(Apply(op, a[aBase + aOffset], b[bBase + bOffset]));
        }
    }

    private static float Apply(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Subtract => x - y,
        BinaryOp.Multiply => x * y,
        _ => x / y,
    };

    /// <summary>y = a ⊙ b with NumPy broadcasting, into a fresh tracked result (no autograd).</summary>
    internal static Tensor BroadcastBinary(BinaryOp op, string name, Tensor a, Tensor b)
    {
        var outShape = TensorShape.SameShape(a.shape, b.shape) ? a.shape : TensorShape.Broadcast(a.shape, b.shape, name);
        var y = Uninitialized(outShape);
        var kernel = new BinaryRows(op, a.storage.Data, a.offset, b.storage.Data, b.offset, y.storage.Data, y.offset);
        BroadcastIterator.ForEachRow(ref kernel, outShape, a.shape, b.shape);
        return y;
    }

    private readonly struct ReduceRows(float[] g, int gBase, float[] target, int tBase, float scale) : IRowKernel
    {
        // "a" is the gradient (full output shape), "b" is the target (broadcast shape).
        public void Row(int outOffset, int aOffset, int aStep, int bOffset, int bStep, int n)
        {
            var src = new ReadOnlySpan<float>(g, gBase + aOffset, n);
            if (bStep == 1)
            {
                var dst = new Span<float>(target, tBase + bOffset, n);
                if (scale == 1f) TensorPrimitives.Add(dst, src, dst);
                else TensorPrimitives.MultiplyAdd(src, scale, dst, dst);
            }
            else target[tBase + bOffset] += scale * TensorPrimitives.Sum(src);
        }
    }

    /// <summary>Adds <paramref name="scale"/>·<paramref name="gradient"/>, summed over broadcast axes, into <paramref name="input"/>'s gradient.</summary>
    internal static void AccumulateReduced(Tensor gradient, Tensor input, float scale = 1f)
    {
        input.GradBuffer();
        var g = input.Grad!;
        if (TensorShape.SameShape(gradient.shape, input.shape))
        {
            if (scale == 1f) TensorPrimitives.Add(g.Data, gradient.Data, g.Data);
            else TensorPrimitives.MultiplyAdd(gradient.Data, scale, g.Data, g.Data);
            return;
        }
        var kernel = new ReduceRows(gradient.storage.Data, gradient.offset, g.storage.Data, g.offset, scale);
        BroadcastIterator.ForEachRow(ref kernel, gradient.shape, gradient.shape, input.shape);
    }

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(BinaryOp.Add, "add", a, b);
        return y.Record("add", [a, b], g =>
        {
            if (a.RequiresGrad) AccumulateReduced(g, a);
            if (b.RequiresGrad) AccumulateReduced(g, b);
        });
    }

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor Subtract(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(BinaryOp.Subtract, "sub", a, b);
        return y.Record("sub", [a, b], g =>
        {
            if (a.RequiresGrad) AccumulateReduced(g, a);
            if (b.RequiresGrad) AccumulateReduced(g, b, -1f);
        });
    }

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(BinaryOp.Multiply, "mul", a, b);
        return y.Record("mul", [a, b], g =>
        {
            if (a.RequiresGrad) { using var ga = BroadcastBinary(BinaryOp.Multiply, "mul_backward", g, b); AccumulateReduced(ga, a); }
            if (b.RequiresGrad) { using var gb = BroadcastBinary(BinaryOp.Multiply, "mul_backward", g, a); AccumulateReduced(gb, b); }
        });
    }

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor Divide(Tensor a, Tensor b)
    {
        var y = BroadcastBinary(BinaryOp.Divide, "div", a, b);
        return y.Record("div", [a, b], g =>
        {
            using var gOverB = BroadcastBinary(BinaryOp.Divide, "div_backward", g, b);
            if (a.RequiresGrad) AccumulateReduced(gOverB, a);
            if (b.RequiresGrad)
            {
                // d(a/b)/db = −(a/b)/b, so the b-gradient is −(g/b)·y.
                using var gb = BroadcastBinary(BinaryOp.Multiply, "div_backward", gOverB, y);
                AccumulateReduced(gb, b, -1f);
            }
        });
    }

    /// <summary>x + s.</summary>
    public static Tensor Add(Tensor x, float s) => AffineScalar(x, 1f, s, "add_scalar");

    /// <summary>x · s.</summary>
    public static Tensor Multiply(Tensor x, float s) => AffineScalar(x, s, 0f, "mul_scalar");

    /// <summary>scale·x + shift in one pass.</summary>
    public static Tensor AffineScalar(Tensor x, float scale, float shift, string name = "affine_scalar")
    {
        var y = Uninitialized(x.shape);
        if (shift == 0f) TensorPrimitives.Multiply(x.Data, scale, y.Data);
        else if (scale == 1f) TensorPrimitives.Add(x.Data, shift, y.Data);
        else { TensorPrimitives.Multiply(x.Data, scale, y.Data); TensorPrimitives.Add(y.Data, shift, y.Data); }
        return y.Record(name, [x], g => AccumulateReduced(g, x, scale));
    }

    /// <summary>a + b (broadcasting).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>a − b (broadcasting).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Subtract(a, b);
    /// <summary>a ⊙ b (broadcasting).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Multiply(a, b);
    /// <summary>a ÷ b (broadcasting).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Divide(a, b);
    /// <summary>x + s.</summary>
    public static Tensor operator +(Tensor x, float s) => Add(x, s);
    /// <summary>s + x.</summary>
    public static Tensor operator +(float s, Tensor x) => Add(x, s);
    /// <summary>x − s.</summary>
    public static Tensor operator -(Tensor x, float s) => Add(x, -s);
    /// <summary>s − x.</summary>
    public static Tensor operator -(float s, Tensor x) => AffineScalar(x, -1f, s, "rsub_scalar");
    /// <summary>x · s.</summary>
    public static Tensor operator *(Tensor x, float s) => Multiply(x, s);
    /// <summary>s · x.</summary>
    public static Tensor operator *(float s, Tensor x) => Multiply(x, s);
    /// <summary>x ÷ s.</summary>
    public static Tensor operator /(Tensor x, float s) => Multiply(x, 1f / s);
    /// <summary>−x.</summary>
    public static Tensor operator -(Tensor x) => AffineScalar(x, -1f, 0f, "neg");
}
