// Naive references for the recurrent tests: the textbook LSTM and GRU equations in plain double loops
// over float arrays (PyTorch gate orders and layouts), plus the LSTM and GRU cells composed from Tensor ops that
// the fused ops are checked against.
// Shape key: B = batch, I = input features, H = hidden size.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Recurrent;

internal static class RecurrentReference
{
    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    /// <summary>(W x + b)[row] for a row-major (rows, cols) weight.</summary>
    private static double Affine(float[] w, float[] b, float[] x, int xOffset, int cols, int row)
    {
        double s = b[row];
        for (int k = 0; k < cols; k++) s += (double)w[row * cols + k] * x[xOffset + k];
        return s;
    }

    /// <summary>One LSTM step for a batch: x (B·I), h and c (B·H) → (h', c').</summary>
    public static (float[] H, float[] C) LstmStep(float[] x, float[] h, float[] c, float[] wIh, float[] wHh, float[] bIh, float[] bHh, int batch, int inputSize, int hidden)
    {
        var hOut = new float[batch * hidden]; var cOut = new float[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                double Gate(int block) => Affine(wIh, bIh, x, b * inputSize, inputSize, block * hidden + j) + Affine(wHh, bHh, h, b * hidden, hidden, block * hidden + j);
                double i = Sigmoid(Gate(0)), f = Sigmoid(Gate(1)), g = Math.Tanh(Gate(2)), o = Sigmoid(Gate(3));
                double cNew = f * c[b * hidden + j] + i * g;
                cOut[b * hidden + j] = (float)cNew;
                hOut[b * hidden + j] = (float)(o * Math.Tanh(cNew));
            }
        return (hOut, cOut);
    }

    /// <summary>One GRU step for a batch: x (B·I), h (B·H) → h'.</summary>
    public static float[] GruStep(float[] x, float[] h, float[] wIh, float[] wHh, float[] bIh, float[] bHh, int batch, int inputSize, int hidden)
    {
        var hOut = new float[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                double Xi(int block) => Affine(wIh, bIh, x, b * inputSize, inputSize, block * hidden + j);
                double Hh(int block) => Affine(wHh, bHh, h, b * hidden, hidden, block * hidden + j);
                double r = Sigmoid(Xi(0) + Hh(0)), z = Sigmoid(Xi(1) + Hh(1));
                double n = Math.Tanh(Xi(2) + r * Hh(2));
                hOut[b * hidden + j] = (float)((1 - z) * n + z * h[b * hidden + j]);
            }
        return hOut;
    }

    /// <summary>The LSTM cell composed from engine ops (MatMul, Narrow, Sigmoid, Tanh, Multiply, Add).</summary>
    public static (Tensor H, Tensor C) ComposedLstmCell(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        int hidden = h.Size(1);
        var gates = Tensor.MatMul(x, wIh, transposeB: true) + bIh + Tensor.MatMul(h, wHh, transposeB: true) + bHh;   // (B, 4H)
        var i = Tensor.Sigmoid(gates.Narrow(1, 0, hidden));
        var f = Tensor.Sigmoid(gates.Narrow(1, hidden, hidden));
        var g = Tensor.Tanh(gates.Narrow(1, 2 * hidden, hidden));
        var o = Tensor.Sigmoid(gates.Narrow(1, 3 * hidden, hidden));
        var cNew = f * c + i * g;
        return (o * Tensor.Tanh(cNew), cNew);
    }

    /// <summary>The GRU cell composed from engine ops, PyTorch's equations.</summary>
    public static Tensor ComposedGruCell(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        int hidden = h.Size(1);
        var gi = Tensor.MatMul(x, wIh, transposeB: true) + bIh;        // (B, 3H)
        var gh = Tensor.MatMul(h, wHh, transposeB: true) + bHh;        // (B, 3H)
        var r = Tensor.Sigmoid(gi.Narrow(1, 0, hidden) + gh.Narrow(1, 0, hidden));
        var z = Tensor.Sigmoid(gi.Narrow(1, hidden, hidden) + gh.Narrow(1, hidden, hidden));
        var n = Tensor.Tanh(gi.Narrow(1, 2 * hidden, hidden) + r * gh.Narrow(1, 2 * hidden, hidden));
        return (1f - z) * n + z * h;
    }
}
