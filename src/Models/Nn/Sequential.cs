// A chain of single-input layers applied in order (PyTorch's nn.Sequential). Children are registered
// as "0", "1", … so checkpoint keys match PyTorch's ("features.0.weight"). Flatten, the usual bridge from
// convolutional features (B, C, H, W) to a Linear head (B, C·H·W), lives here too.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>A module mapping one tensor to one tensor; what <see cref="Sequential"/> can chain.</summary>
public interface ITensorModule
{
    /// <summary>Applies the layer.</summary>
    Tensor Forward(Tensor input);
}

/// <summary>Applies its layers one after another.</summary>
public sealed class Sequential : Module, ITensorModule
{
    private readonly List<ITensorModule> layers = [];

    /// <summary>Creates the chain; every layer must be a <see cref="Module"/> implementing <see cref="ITensorModule"/>.</summary>
    public Sequential(params ITensorModule[] layers)
    {
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Adds a layer at the end (named by its position).</summary>
    public Sequential Append(ITensorModule layer)
    {
        if (layer is not Module module) throw new ArgumentException($"sequential: {layer.GetType().Name} is not a Module.", nameof(layer));
        RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public ITensorModule this[int index] => layers[index];

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }
}

/// <summary>Reshapes (B, ...) to (B, rest) so convolutional features can feed a Linear layer.</summary>
public sealed class Flatten : Module, ITensorModule
{
    /// <inheritdoc />
    public Tensor Forward(Tensor input) => input.Flatten(1);
}
