// Weight initialisation schemes, all drawing from a seeded Generator and writing in place:
//   Kaiming (He et al. 2015):   std = gain / √fan,                uniform bound = gain · √(3 / fan)
//   Xavier  (Glorot & Bengio 2010): std = gain · √(2 / (fanIn + fanOut)), bound = gain · √(6 / (fanIn + fanOut))
//   Orthogonal (Saxe et al. 2014): a random orthonormal matrix from the QR of a Gaussian one, for recurrent weights
// Fans follow PyTorch: for a weight [out, in, k…] the receptive field R = Π k, fanIn = in·R, fanOut = out·R
// (Linear [out, in] has R = 1; Conv2d [out, in, kh, kw] has R = kh·kw).
// Gains follow torch.nn.init.calculate_gain: linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + a²)).
// Layer defaults (what the layers' constructors call, PyTorch's reset_parameters):
//   Linear, Conv1d/2d, attention projections: W, b ~ U(−1/√fanIn, 1/√fanIn)   (= Kaiming uniform with a = √5)
//   LSTM/GRU (cells and layers):                all weights and biases ~ U(−1/√H, 1/√H)
//   Embedding:                                  N(0, 1)
// These draw in float (Tensor.Rand/Randn) with the bound computed as 1f/MathF.Sqrt(fan), exactly as the layers did
// before they called this file, so a seeded model's initial weights — and every checkpoint trained from one — stay
// bit-identical. The general schemes below draw in double.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Init;

/// <summary>The non-linearity that follows a layer, which sets the variance-preserving gain.</summary>
public enum Nonlinearity
{
    /// <summary>Identity (gain 1).</summary>
    Linear,
    /// <summary>Logistic sigmoid (gain 1).</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent (gain 5/3).</summary>
    Tanh,
    /// <summary>ReLU (gain √2).</summary>
    Relu,
    /// <summary>Leaky ReLU with a negative slope (gain √(2 / (1 + slope²))).</summary>
    LeakyRelu,
}

/// <summary>Which fan keeps its variance: forward activations (fan-in) or backward gradients (fan-out).</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary>Preserve the variance of gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>Weight initialisers: the layers' defaults (new tensors) and the general schemes (in place, returning the tensor).</summary>
public static class Initializers
{
    /// <summary>PyTorch's default bound 1/√<paramref name="fan"/> for Linear, convolution, attention and recurrent parameters.</summary>
    public static float DefaultBound(int fan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fan, 1);
        return 1f / MathF.Sqrt(fan);
    }

    /// <summary>
    /// A new tensor of shape <paramref name="shape"/> drawn from U(−1/√fan, 1/√fan): PyTorch's default for Linear and
    /// convolution weights and biases (fan = fan-in of the weight) and for every LSTM/GRU parameter (fan = hidden size).
    /// </summary>
    public static Tensor DefaultUniform(Generator generator, int[] shape, int fan)
    {
        ArgumentNullException.ThrowIfNull(generator);
        float bound = DefaultBound(fan);
        return Tensor.Rand(generator, shape, -bound, bound);
    }

    /// <summary>A new tensor of shape <paramref name="shape"/> drawn from N(0, 1): PyTorch's default for embedding tables.</summary>
    public static Tensor StandardNormal(Generator generator, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Tensor.Randn(generator, shape);
    }

    /// <summary>Fan-in and fan-out of a weight laid out as [out, in, k…] (rank ≥ 2).</summary>
    public static (int FanIn, int FanOut) ComputeFans(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2) throw new ArgumentException($"fans need a weight of rank >= 2 ([out, in, ...]), got shape {TensorShape.Format(shape)}");
        int receptiveField = 1;
        for (int i = 2; i < shape.Length; i++) receptiveField *= shape[i];
        return (shape[1] * receptiveField, shape[0] * receptiveField);
    }

    /// <summary>The recommended gain for <paramref name="nonlinearity"/> (<paramref name="negativeSlope"/> is used by leaky ReLU).</summary>
    public static double Gain(Nonlinearity nonlinearity, double negativeSlope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3.0,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + negativeSlope * negativeSlope)),
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "unknown non-linearity"),
    };

    /// <summary>He uniform: U(−b, b), b = gain·√(3 / fan). PyTorch's default is leaky ReLU with slope 0 (gain √2) and fan-in.</summary>
    public static Tensor KaimingUniform(Tensor weight, Generator generator, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, double negativeSlope = 0)
    {
        double bound = Gain(nonlinearity, negativeSlope) * Math.Sqrt(3.0 / Fan(weight, mode));
        return Uniform(weight, generator, -bound, bound);
    }

    /// <summary>He normal: N(0, std²), std = gain / √fan.</summary>
    public static Tensor KaimingNormal(Tensor weight, Generator generator, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, double negativeSlope = 0)
    {
        double std = Gain(nonlinearity, negativeSlope) / Math.Sqrt(Fan(weight, mode));
        return Normal(weight, generator, 0, std);
    }

    /// <summary>Glorot uniform: U(−b, b), b = gain·√(6 / (fanIn + fanOut)).</summary>
    public static Tensor XavierUniform(Tensor weight, Generator generator, double gain = 1.0)
    {
        var (fanIn, fanOut) = NonEmptyFans(weight);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(weight, generator, -bound, bound);
    }

    /// <summary>Glorot normal: N(0, std²), std = gain·√(2 / (fanIn + fanOut)).</summary>
    public static Tensor XavierNormal(Tensor weight, Generator generator, double gain = 1.0)
    {
        var (fanIn, fanOut) = NonEmptyFans(weight);
        return Normal(weight, generator, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor tensor, Generator generator, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var d = tensor.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(low + (high - low) * generator.NextDouble());
        return tensor;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(Tensor tensor, Generator generator, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var d = tensor.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * generator.NextNormal());
        return tensor;
    }

    /// <summary>All zeros (biases).</summary>
    public static Tensor Zeros(Tensor tensor)
    {
        tensor.Data.Clear();
        return tensor;
    }

    /// <summary>All equal to <paramref name="value"/> (e.g. an LSTM forget-gate bias of 1).</summary>
    public static Tensor Constant(Tensor tensor, float value)
    {
        tensor.Data.Fill(value);
        return tensor;
    }

    /// <summary>
    /// A (semi-)orthogonal matrix scaled by <paramref name="gain"/>. The weight is viewed as [rows, cols] with
    /// rows = shape[0]; if rows ≤ cols the rows are orthonormal (W·Wᵀ = I), otherwise the columns (Wᵀ·W = I).
    /// </summary>
    public static Tensor Orthogonal(Tensor weight, Generator generator, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (weight.Rank < 2) throw new ArgumentException($"orthogonal init needs a weight of rank >= 2, got shape {TensorShape.Format(weight.Shape)}", nameof(weight));
        int rows = weight.Size(0), cols = weight.Length / Math.Max(rows, 1);
        if (weight.Length == 0) return weight;
        // Orthonormalise the columns of a tall Gaussian matrix A (m ≥ n); a wide weight is its transpose.
        int m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        var a = new double[m * n];   // (m, n) row-major
        for (int i = 0; i < a.Length; i++) a[i] = generator.NextNormal();
        GramSchmidtColumns(a, m, n);
        var w = weight.Data;   // (rows, cols)
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                w[r * cols + c] = (float)(gain * (rows >= cols ? a[r * n + c] : a[c * n + r]));
        return weight;
    }

    // Modified Gram–Schmidt on the n columns of the (m, n) matrix a, in place: the Q of A = QR with R's
    // diagonal positive (the sign convention torch.nn.init.orthogonal_ enforces). Run twice ("twice is
    // enough", Giraud et al. 2005) so orthogonality holds to double rounding even for ill-conditioned draws.
    private static void GramSchmidtColumns(double[] a, int m, int n)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += a[i * n + k] * a[i * n + j];
                    for (int i = 0; i < m; i++) a[i * n + j] -= dot * a[i * n + k];
                }
                double norm = 0;
                for (int i = 0; i < m; i++) norm += a[i * n + j] * a[i * n + j];
                norm = Math.Sqrt(norm);
                if (norm < 1e-12) throw new InvalidOperationException("orthogonal init: Gaussian draw was numerically rank-deficient; use another seed");
                for (int i = 0; i < m; i++) a[i * n + j] /= norm;
            }
        }
    }

    private static int Fan(Tensor weight, FanMode mode)
    {
        var (fanIn, fanOut) = NonEmptyFans(weight);
        return mode == FanMode.FanIn ? fanIn : fanOut;
    }

    private static (int FanIn, int FanOut) NonEmptyFans(Tensor weight)
    {
        var fans = ComputeFans(weight.Shape);
        if (fans.FanIn == 0 || fans.FanOut == 0) throw new ArgumentException($"cannot initialise a weight with a zero fan, shape {TensorShape.Format(weight.Shape)}", nameof(weight));
        return fans;
    }
}
