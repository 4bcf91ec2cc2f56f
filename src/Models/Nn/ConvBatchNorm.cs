// conv → batch norm (→ ReLU), the building block of the image encoders, run by the cheapest exact path
// for the current mode:
//   * evaluation without gradients: the batch norm is a per-channel affine map of constants, so it (and
//     the ReLU) is applied by the convolution to each output row while it is still in cache — the
//     activation is written once instead of three times (conv, BN, ReLU);
//   * otherwise (training, or gradients wanted in evaluation mode): the convolution, then batch norm
//     and ReLU as one fused op with its own backward (Functional.BatchNormRelu).
// Both give the same values as the three separate layers (bit for bit when the conv has no bias,
// since the affine map is computed by the same expressions as BatchNorm's evaluation path).
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Fused forward of a <see cref="Conv2d"/> followed by a <see cref="BatchNormBase"/> and optionally ReLU.</summary>
public static class ConvBatchNorm
{
    /// <summary>ReLU?(bn(conv(input))), exactly as the separate layers compute it, in fewer passes.</summary>
    public static Tensor Forward(Conv2d conv, BatchNormBase batchNorm, Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(batchNorm);
        ArgumentNullException.ThrowIfNull(input);
        if (!batchNorm.IsTraining && !NeedsGradient(conv, batchNorm, input))
        {
            if (batchNorm.Options.NumFeatures != conv.Options.OutChannels)
                throw new ShapeMismatchException("conv_batch_norm", $"batch norm has {batchNorm.Options.NumFeatures} channels but the convolution produces {conv.Options.OutChannels}");
            var (scale, shift) = batchNorm.EvaluationAffine();
            if (conv.Bias is not null)
            {
                // BN(z + b) = z·scale + (b·scale + shift): the conv bias folds into the shift.
                var b = conv.Bias.Data;
                for (int c = 0; c < shift.Length; c++) shift[c] += b[c] * scale[c];
            }
            return Functional.Conv2dInference(input, conv.Weight, null, conv.Options.Stride, conv.Options.Padding, conv.Options.Dilation,
                new ChannelAffine(scale, shift, relu));
        }
        var z = conv.Forward(input);
        return relu ? batchNorm.ForwardRelu(z) : batchNorm.Forward(z);
    }

    private static bool NeedsGradient(Conv2d conv, BatchNormBase batchNorm, Tensor input)
        => GradMode.IsEnabled && (input.RequiresGrad || conv.Weight.RequiresGrad || (conv.Bias?.RequiresGrad ?? false)
            || (batchNorm.Weight?.RequiresGrad ?? false) || (batchNorm.Bias?.RequiresGrad ?? false));
}
