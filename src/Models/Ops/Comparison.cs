// Comparisons produce 0/1 float masks (no gradient); Where selects between two tensors by a mask and
// routes the gradient to whichever side was chosen.
namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    private static Tensor Compare(Tensor a, Tensor b, string name, Func<float, float, bool> predicate)
    {
        var outShape = TensorShape.SameShape(a.shape, b.shape) ? a.shape : TensorShape.Broadcast(a.shape, b.shape, name);
        using var ea = Expand(a, outShape);
        using var eb = Expand(b, outShape);
        var y = Uninitialized(outShape);
        var ad = ea.Data; var bd = eb.Data; var yd = y.Data;
        for (int i = 0; i < yd.Length; i++) yd[i] = predicate(ad[i], bd[i]) ? 1f : 0f;
        return y;
    }

    /// <summary>Materialises <paramref name="x"/> broadcast to <paramref name="target"/> (no gradient).</summary>
    internal static Tensor Expand(Tensor x, int[] target)
    {
        using var zeros = ZerosTracked(target);
        return BroadcastBinary(BinaryOp.Add, "expand", zeros, x);
    }

    /// <summary>1 where a == b.</summary>
    public static Tensor Equal(Tensor a, Tensor b) => Compare(a, b, "eq", (x, y) => x == y);
    /// <summary>1 where a &gt; b.</summary>
    public static Tensor Greater(Tensor a, Tensor b) => Compare(a, b, "gt", (x, y) => x > y);
    /// <summary>1 where a &gt;= b.</summary>
    public static Tensor GreaterOrEqual(Tensor a, Tensor b) => Compare(a, b, "ge", (x, y) => x >= y);
    /// <summary>1 where a &lt; b.</summary>
    public static Tensor Less(Tensor a, Tensor b) => Compare(a, b, "lt", (x, y) => x < y);
    /// <summary>1 where a &lt;= b.</summary>
    public static Tensor LessOrEqual(Tensor a, Tensor b) => Compare(a, b, "le", (x, y) => x <= y);

    /// <summary>condition ≠ 0 ? a : b, with broadcasting; gradients flow to the selected side only.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var outShape = TensorShape.Broadcast(TensorShape.Broadcast(condition.shape, a.shape, "where"), b.shape, "where");
        using var ec = Expand(condition, outShape);
        using var ea = Expand(a, outShape);
        using var eb = Expand(b, outShape);
        var y = Uninitialized(outShape);
        var cd = ec.Data; var ad = ea.Data; var bd = eb.Data; var yd = y.Data;
        for (int i = 0; i < yd.Length; i++) yd[i] = cd[i] != 0 ? ad[i] : bd[i];
        var mask = cd.ToArray();
        return y.Record("where", [a, b], g =>
        {
            var gd = g.Data;
            using var ga = ZerosTracked(outShape);
            using var gb = ZerosTracked(outShape);
            var gad = ga.Data; var gbd = gb.Data;
            for (int i = 0; i < gd.Length; i++) if (mask[i] != 0) gad[i] = gd[i]; else gbd[i] = gd[i];
            if (a.RequiresGrad) AccumulateReduced(ga, a);
            if (b.RequiresGrad) AccumulateReduced(gb, b);
        });
    }
}
