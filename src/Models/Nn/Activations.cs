// Activation functions as modules, so they can sit in a Sequential: thin wrappers over the Tensor ops
// (ReLU, LeakyReLU, exact GELU, tanh, sigmoid, softmax and log-softmax along an axis). No parameters.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module, ITensorModule
{
    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.Relu(input);
}

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module, ITensorModule
{
    /// <summary>Slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.LeakyRelu(input, NegativeSlope);
}

/// <summary>Exact GELU, x·Φ(x).</summary>
public sealed class GELU : Module, ITensorModule
{
    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.Gelu(input);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module, ITensorModule
{
    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.Tanh(input);
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid : Module, ITensorModule
{
    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.Sigmoid(input);
}

/// <summary>Softmax along an axis (default: last).</summary>
public sealed class Softmax(int axis = -1) : Module, ITensorModule
{
    /// <summary>The normalised axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.Softmax(input, Axis);
}

/// <summary>Log-softmax along an axis (default: last).</summary>
public sealed class LogSoftmax(int axis = -1) : Module, ITensorModule
{
    /// <summary>The normalised axis.</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Tensor.LogSoftmax(input, Axis);
}
