// Double-precision naive references, forward AND backward, for the fused float32 kernels (FusedLstmCell,
// FusedGruCell, FusedAttentionStep, Functional.BatchNormRelu). Each is the textbook formula in plain loops over double[],
// with the backward derived by hand from it (the derivations are the comments), so it shares no code and
// no rounding with the kernel under test.
// Why double: the finite-difference checks run in float32 with eps = 1e-2 and tolerate ~1e-2, which hides a
// wrong term whose contribution is below that (a missing factor on a small gate, a dropped mean term of
// batch norm). Against these references the fused kernels are held to a few float32 ulps of the result.
// Shape key: B = batch, I = input size, H = hidden size, R = regions, A = attention size, F = feature size,
// N = batch, C = channels, S = spatial positions.
namespace Pipeline.Models.Tests.Support;

internal static class DoubleReference
{
    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    /// <summary>y = W·x + b for the row of x starting at <paramref name="offset"/>; W is (y.Length, cols).</summary>
    private static void Affine(double[] w, double[] bias, double[] x, int offset, int cols, double[] y)
    {
        for (int row = 0; row < y.Length; row++)
        {
            y[row] = bias[row];
            for (int k = 0; k < cols; k++) y[row] += w[row * cols + k] * x[offset + k];
        }
    }

    /// <summary>Backward of <see cref="Affine"/> for upstream dy: dx (that row) += Wᵀ·dy, dW += dy·xᵀ, db += dy.</summary>
    private static void AffineBackward(double[] dy, double[] w, double[] x, int offset, int cols, double[] dx, double[] dw, double[] db)
    {
        for (int row = 0; row < dy.Length; row++)
        {
            db[row] += dy[row];
            for (int k = 0; k < cols; k++)
            {
                dx[offset + k] += dy[row] * w[row * cols + k];
                dw[row * cols + k] += dy[row] * x[offset + k];
            }
        }
    }

    /// <summary>Converts a float array to double.</summary>
    public static double[] D(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Gradients of one LSTM step, each the shape of its input.</summary>
    public sealed record LstmGrads(double[] X, double[] H, double[] C, double[] WeightIh, double[] WeightHh, double[] BiasIh, double[] BiasHh);

    /// <summary>
    /// One LSTM step (gates i, f, g, o) and its backward for upstream gradients dh' (B, H) and dc' (B, H).
    /// x (B, I), h, c (B, H), W_ih (4H, I), W_hh (4H, H), b_ih, b_hh (4H). Returns h', c' (B, H) and all gradients.
    /// </summary>
    public static (double[] H, double[] C, LstmGrads Grads) LstmStep(double[] x, double[] h, double[] c, double[] wIh, double[] wHh,
        double[] bIh, double[] bHh, double[] dhOut, double[] dcOut, int batch, int inputSize, int hidden)
    {
        int gates = 4 * hidden;
        var hNew = new double[batch * hidden]; var cNew = new double[batch * hidden];
        var g = new LstmGrads(new double[x.Length], new double[h.Length], new double[c.Length], new double[wIh.Length], new double[wHh.Length],
            new double[gates], new double[gates]);
        var a = new double[gates]; var u = new double[gates]; var da = new double[gates];
        for (int b = 0; b < batch; b++)
        {
            // a = W_ih·x + b_ih + W_hh·h + b_hh, then the activations.
            Affine(wIh, bIh, x, b * inputSize, inputSize, a);
            Affine(wHh, bHh, h, b * hidden, hidden, u);
            for (int r = 0; r < gates; r++) a[r] = r / hidden == 2 ? Math.Tanh(a[r] + u[r]) : Sigmoid(a[r] + u[r]);
            for (int j = 0; j < hidden; j++)
            {
                double i = a[j], f = a[hidden + j], gg = a[2 * hidden + j], o = a[3 * hidden + j], cp = c[b * hidden + j];
                double cn = f * cp + i * gg, t = Math.Tanh(cn);
                cNew[b * hidden + j] = cn; hNew[b * hidden + j] = o * t;
                // h' = o·tanh(c'): dc = dc' + dh'·o·(1 − tanh²c'); c' = f·c + i·g.
                double dh = dhOut[b * hidden + j], dc = dcOut[b * hidden + j] + dh * o * (1 - t * t);
                da[j] = dc * gg * i * (1 - i);
                da[hidden + j] = dc * cp * f * (1 - f);
                da[2 * hidden + j] = dc * i * (1 - gg * gg);
                da[3 * hidden + j] = dh * t * o * (1 - o);
                g.C[b * hidden + j] += dc * f;
            }
            // Both projections receive the same pre-activation gradient.
            AffineBackward(da, wIh, x, b * inputSize, inputSize, g.X, g.WeightIh, g.BiasIh);
            AffineBackward(da, wHh, h, b * hidden, hidden, g.H, g.WeightHh, g.BiasHh);
        }
        return (hNew, cNew, g);
    }

    /// <summary>Gradients of one GRU step, each the shape of its input.</summary>
    public sealed record GruGrads(double[] X, double[] H, double[] WeightIh, double[] WeightHh, double[] BiasIh, double[] BiasHh);

    /// <summary>
    /// One GRU step with PyTorch's equations (gates r, z, n; the reset gate multiplies the projected hidden state) and its
    /// backward for upstream dh' (B, H). x (B, I), h (B, H), W_ih (3H, I), W_hh (3H, H), b_ih, b_hh (3H).
    /// </summary>
    public static (double[] H, GruGrads Grads) GruStep(double[] x, double[] h, double[] wIh, double[] wHh, double[] bIh, double[] bHh,
        double[] dhOut, int batch, int inputSize, int hidden)
    {
        int gates = 3 * hidden;
        var hNew = new double[batch * hidden];
        var g = new GruGrads(new double[x.Length], new double[h.Length], new double[wIh.Length], new double[wHh.Length], new double[gates], new double[gates]);
        var a = new double[gates]; var u = new double[gates]; var da = new double[gates]; var du = new double[gates];
        for (int b = 0; b < batch; b++)
        {
            // a = W_ih·x + b_ih, u = W_hh·h + b_hh.
            Affine(wIh, bIh, x, b * inputSize, inputSize, a);
            Affine(wHh, bHh, h, b * hidden, hidden, u);
            for (int j = 0; j < hidden; j++)
            {
                double r = Sigmoid(a[j] + u[j]), z = Sigmoid(a[hidden + j] + u[hidden + j]);
                double un = u[2 * hidden + j], n = Math.Tanh(a[2 * hidden + j] + r * un), hp = h[b * hidden + j];
                hNew[b * hidden + j] = (1 - z) * n + z * hp;
                // h' = (1 − z)·n + z·h: dn = dh'(1 − z), dz = dh'(h − n), dh += dh'·z.
                double dh = dhOut[b * hidden + j], dn = dh * (1 - z), dz = dh * (hp - n);
                g.H[b * hidden + j] += dh * z;
                // n = tanh(a_n + r·u_n): δn = dn(1 − n²) reaches a_n directly and u_n through r; r, z are sigmoids of a + u.
                double dPreN = dn * (1 - n * n), dPreR = dPreN * un * r * (1 - r), dPreZ = dz * z * (1 - z);
                da[j] = dPreR; da[hidden + j] = dPreZ; da[2 * hidden + j] = dPreN;
                du[j] = dPreR; du[hidden + j] = dPreZ; du[2 * hidden + j] = dPreN * r;
            }
            AffineBackward(da, wIh, x, b * inputSize, inputSize, g.X, g.WeightIh, g.BiasIh);
            AffineBackward(du, wHh, h, b * hidden, hidden, g.H, g.WeightHh, g.BiasHh);
        }
        return (hNew, g);
    }

    /// <summary>Gradients of one attention step.</summary>
    public sealed record AttentionGrads(double[] Projected, double[] Query, double[] ScoreWeight, double[] Features);

    /// <summary>
    /// e_r = tanh(P_r + q), s_r = v·e_r, α = softmax(s), z = Σ_r α_r·a_r, and the backward for upstream dz (B, F), dα (B, R).
    /// P (B, R, A), q (B, A), v (A), a (B, R, F). Returns z (B, F), α (B, R) and the gradients.
    /// </summary>
    public static (double[] Context, double[] Alpha, AttentionGrads Grads) AttentionStep(double[] projected, double[] query, double[] score,
        double[] features, double[] dContext, double[] dAlpha, int batch, int regions, int attn, int featureSize)
    {
        var z = new double[batch * featureSize]; var alpha = new double[batch * regions];
        var g = new AttentionGrads(new double[projected.Length], new double[query.Length], new double[score.Length], new double[features.Length]);
        var e = new double[regions * attn]; var s = new double[regions]; var ds = new double[regions];
        for (int b = 0; b < batch; b++)
        {
            for (int r = 0; r < regions; r++)
            {
                s[r] = 0;
                for (int k = 0; k < attn; k++)
                {
                    e[r * attn + k] = Math.Tanh(projected[(b * regions + r) * attn + k] + query[b * attn + k]);
                    s[r] += score[k] * e[r * attn + k];
                }
            }
            double max = s.Max(), sum = 0;
            for (int r = 0; r < regions; r++) sum += Math.Exp(s[r] - max);
            for (int r = 0; r < regions; r++) alpha[b * regions + r] = Math.Exp(s[r] - max) / sum;
            for (int r = 0; r < regions; r++)
                for (int f = 0; f < featureSize; f++) z[b * featureSize + f] += alpha[b * regions + r] * features[(b * regions + r) * featureSize + f];

            // z = Σ α_r a_r: dα_r (total) = dα_r + dz·a_r, da_r = α_r·dz.
            var dAlphaTotal = new double[regions];
            for (int r = 0; r < regions; r++)
            {
                dAlphaTotal[r] = dAlpha[b * regions + r];
                for (int f = 0; f < featureSize; f++)
                {
                    dAlphaTotal[r] += dContext[b * featureSize + f] * features[(b * regions + r) * featureSize + f];
                    g.Features[(b * regions + r) * featureSize + f] += alpha[b * regions + r] * dContext[b * featureSize + f];
                }
            }
            // softmax Jacobian: ds_r = α_r·(dα_r − Σ_k α_k·dα_k).
            double weighted = 0;
            for (int r = 0; r < regions; r++) weighted += alpha[b * regions + r] * dAlphaTotal[r];
            for (int r = 0; r < regions; r++) ds[r] = alpha[b * regions + r] * (dAlphaTotal[r] - weighted);
            // s_r = v·e_r, e_r = tanh(P_r + q).
            for (int r = 0; r < regions; r++)
                for (int k = 0; k < attn; k++)
                {
                    double ek = e[r * attn + k], pre = ds[r] * score[k] * (1 - ek * ek);
                    g.ScoreWeight[k] += ds[r] * ek;
                    g.Projected[(b * regions + r) * attn + k] += pre;
                    g.Query[b * attn + k] += pre;
                }
        }
        return (z, alpha, g);
    }

    /// <summary>
    /// Training-mode ReLU(batch norm) over x (N, C, S) with batch statistics (biased variance), and its backward for upstream dy.
    /// Returns y and the gradients of x, γ and β.
    /// </summary>
    public static (double[] Y, double[] DInput, double[] DWeight, double[] DBias) BatchNormReluTraining(double[] x, double[] weight, double[] bias,
        double[] dy, int n, int channels, int spatial, double eps)
    {
        var y = new double[x.Length]; var dx = new double[x.Length]; var dw = new double[channels]; var db = new double[channels];
        int m = n * spatial;
        var xhat = new double[x.Length];
        for (int ch = 0; ch < channels; ch++)
        {
            double mean = 0, variance = 0;
            for (int b = 0; b < n; b++) for (int s = 0; s < spatial; s++) mean += x[(b * channels + ch) * spatial + s];
            mean /= m;
            for (int b = 0; b < n; b++) for (int s = 0; s < spatial; s++) { double d = x[(b * channels + ch) * spatial + s] - mean; variance += d * d; }
            variance /= m;
            double invStd = 1 / Math.Sqrt(variance + eps);
            // y = max(0, γ·x̂ + β); dŷ = dy·[y > 0]; dβ = Σ dŷ; dγ = Σ dŷ·x̂;
            // dx = γ·invStd/m · (m·dŷ − Σ dŷ − x̂·Σ dŷ·x̂) (the mean and variance depend on every x of the channel).
            double sumD = 0, sumDx = 0;
            for (int b = 0; b < n; b++)
                for (int s = 0; s < spatial; s++)
                {
                    int at = (b * channels + ch) * spatial + s;
                    xhat[at] = (x[at] - mean) * invStd;
                    double pre = weight[ch] * xhat[at] + bias[ch];
                    y[at] = Math.Max(0, pre);
                    double d = pre > 0 ? dy[at] : 0;
                    sumD += d; sumDx += d * xhat[at];
                }
            db[ch] = sumD; dw[ch] = sumDx;
            for (int b = 0; b < n; b++)
                for (int s = 0; s < spatial; s++)
                {
                    int at = (b * channels + ch) * spatial + s;
                    double d = weight[ch] * xhat[at] + bias[ch] > 0 ? dy[at] : 0;
                    dx[at] = weight[ch] * invStd / m * (m * d - sumD - xhat[at] * sumDx);
                }
        }
        return (y, dx, dw, db);
    }

    /// <summary>
    /// Asserts a float32 result against a double reference: |actual − expected| ≤ atol + rtol·|expected|, naming the first bad
    /// element; also returns the largest absolute error so a test can report its margin.
    /// </summary>
    public static double AssertClose(string what, double[] expected, ReadOnlySpan<float> actual, double atol, double rtol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            worst = Math.Max(worst, diff);
            if (!(diff <= atol + rtol * Math.Abs(expected[i])))
                Assert.Fail($"{what} element {i}: double reference {expected[i]:G10}, fused float32 {actual[i]:G8} (|diff| {diff:G3}, allowed {atol + rtol * Math.Abs(expected[i]):G3})");
        }
        return worst;
    }
}
