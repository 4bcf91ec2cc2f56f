// Inverted dropout (Srivastava et al. 2014): in training each element is zeroed with probability p and
// survivors are scaled by 1/(1−p), so the expected activation is unchanged and evaluation is the
// identity. The mask comes from the Generator given at construction, so runs are reproducible.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>Inverted dropout with drop probability <paramref name="p"/>; identity when not training or p = 0.</summary>
    public static Tensor Dropout(Tensor input, float p, Generator generator, bool training = true)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout: probability must be in [0, 1), got {p}.");
        if (!training || p == 0f) return input;
        float scale = 1f / (1f - p);
        // 0 or 1/(1−p) per element, kept for backward in a pooled scope-owned buffer (not a new array per call).
        var maskTensor = Tensor.Uninitialized(input.ShapeArray());
        var mask = maskTensor.Data;
        for (int i = 0; i < mask.Length; i++) mask[i] = generator.NextFloat() < p ? 0f : scale;
        var y = Tensor.Uninitialized(input.ShapeArray());
        System.Numerics.Tensors.TensorPrimitives.Multiply(input.Data, mask, y.Data);
        return y.Record("dropout", [input], g =>
        {
            var gx = input.GradBuffer();
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g.Data, maskTensor.Data, gx, gx);
        });
    }
}

/// <summary>Inverted dropout layer; active only in training mode.</summary>
public sealed class Dropout : Module, ITensorModule
{
    private readonly Generator generator;

    /// <summary>Creates the layer; <paramref name="generator"/> draws the masks.</summary>
    public Dropout(float p, Generator generator)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout: probability must be in [0, 1), got {p}.");
        P = p;
        this.generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Functional.Dropout(input, P, generator, IsTraining);
}
