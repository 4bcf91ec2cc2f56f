// Softmax and log-softmax along an axis with fused backward rules, which are both cheaper and more
// accurate than composing exp/sum/div:  softmax: dx = y ⊙ (g − Σ g⊙y);  log-softmax: dx = g − softmax·Σ g.
using System.Numerics.Tensors;

namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Softmax along <paramref name="axis"/> (default: last).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1) => SoftmaxCore(x, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/> (default: last).</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => SoftmaxCore(x, axis, log: true);

    private static Tensor SoftmaxCore(Tensor x, int axis, bool log)
    {
        string name = log ? "log_softmax" : "softmax";
        int a = TensorShape.NormalizeAxis(axis, x.Rank, name);
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        var y = Uninitialized(x.shape);
        var xd = x.Data; var yd = y.Data;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var src = xd.Slice(o * size, size); var dst = yd.Slice(o * size, size);
                // TensorPrimitives.SoftMax does not subtract the maximum and overflows for logits > 88,
                // so both forms go through the shifted exponentials.
                float m = TensorPrimitives.Max(src);
                TensorPrimitives.Subtract(src, m, dst);
                TensorPrimitives.Exp(dst, dst);
                float sum = TensorPrimitives.Sum(dst);
                if (log) TensorPrimitives.Subtract(src, m + MathF.Log(sum), dst);
                else TensorPrimitives.Divide(dst, sum, dst);
            }
        }
        else
        {
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    float m = float.NegativeInfinity;
                    for (int k = 0; k < size; k++) m = MathF.Max(m, xd[(o * size + k) * inner + i]);
                    double s = 0;
                    for (int k = 0; k < size; k++) s += Math.Exp(xd[(o * size + k) * inner + i] - m);
                    float lse = m + (float)Math.Log(s);
                    for (int k = 0; k < size; k++)
                    {
                        int p = (o * size + k) * inner + i;
                        yd[p] = log ? xd[p] - lse : MathF.Exp(xd[p] - lse);
                    }
                }
        }
        return y.Record(name, [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data; var ys = y.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    float dot = 0;
                    for (int k = 0; k < size; k++)
                    {
                        int p = (o * size + k) * inner + i;
                        dot += log ? gd[p] : gd[p] * ys[p];
                    }
                    for (int k = 0; k < size; k++)
                    {
                        int p = (o * size + k) * inner + i;
                        gx[p] += log ? gd[p] - MathF.Exp(ys[p]) * dot : ys[p] * (gd[p] - dot);
                    }
                }
        });
    }
}
