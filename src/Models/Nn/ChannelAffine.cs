// A per-channel affine map y = x·scale[c] + shift[c], optionally followed by ReLU: the form an
// evaluation-mode batch norm (and the ReLU after it) takes, so that a convolution can apply it to
// its output rows while they are still in cache instead of two more passes over the activation.
namespace Pipeline.Models.Nn;

/// <summary>Per-channel y = x·Scale[c] + Shift[c] (then max(0, ·) when <see cref="Relu"/>).</summary>
/// <param name="Scale">Multiplier per channel.</param>
/// <param name="Shift">Offset per channel.</param>
/// <param name="Relu">Whether ReLU follows the affine map.</param>
internal readonly record struct ChannelAffine(float[] Scale, float[] Shift, bool Relu)
{
    /// <summary>Applies channel <paramref name="channel"/>'s map to one row; <paramref name="destination"/> may be <paramref name="source"/>.</summary>
    public void Apply(int channel, ReadOnlySpan<float> source, Span<float> destination)
        => Functional.AffineRow(source, Scale[channel], Shift[channel], destination, Relu);
}
