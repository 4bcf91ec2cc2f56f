// Fully connected layer: y = x·Wᵀ + b, applied to the last axis of x.
// Shapes: x (..., I) · W (O, I)ᵀ + b (O) → y (..., O); I = in features, O = out features.
// Default init follows PyTorch: W, b ~ U(−1/√I, 1/√I).
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>x·Wᵀ + b over the last axis; <paramref name="weight"/> is (out, in), <paramref name="bias"/> (out) or null.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || input.Rank < 1 || input.Shape[^1] != weight.Shape[1])
            throw new ShapeMismatchException("linear", $"input {TensorShape.Format(input.Shape)} does not end in weight's in-features ({TensorShape.Format(weight.Shape)} is (out, in))");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ShapeMismatchException("linear", $"bias {TensorShape.Format(bias.Shape)} does not match out-features {weight.Shape[0]}");
        // MatMul needs rank ≥ 2; a single feature vector is treated as a batch of one.
        var x = input.Rank == 1 ? input.Reshape(1, input.Length) : input;          // (..., I)
        var y = Tensor.MatMul(x, weight, transposeB: true);                          // (..., O)
        if (bias is not null) y = y + bias;
        return input.Rank == 1 ? y.Reshape(weight.Shape[0]) : y;
    }
}

/// <summary>Fully connected layer with weight (out, in) and optional bias (out).</summary>
public sealed class Linear : Module, ITensorModule
{
    /// <summary>Weight (out, in), PyTorch layout.</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (out), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Input feature count.</summary>
    public int InFeatures { get; }

    /// <summary>Output feature count.</summary>
    public int OutFeatures { get; }

    /// <summary>Creates the layer with PyTorch's default uniform(±1/√in) initialisation.</summary>
    public Linear(int inFeatures, int outFeatures, Generator generator, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Initializers.DefaultUniform(generator, [outFeatures, inFeatures], inFeatures));
        if (bias) Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [outFeatures], inFeatures));
    }

    /// <summary>(..., in) → (..., out).</summary>
    public Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
