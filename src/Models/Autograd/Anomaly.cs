// NaN/Inf detection for GradMode.DetectAnomaly: finds the first op whose forward output or backward
// gradient is not finite, which is where a diverging run actually went wrong.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Autograd;

/// <summary>Thrown in anomaly mode by the first op that produced a NaN or infinity.</summary>
public sealed class AnomalyException(string message) : ArithmeticException(message);

internal static class Anomaly
{
    public static void CheckForward(string op, Tensor output)
    {
        if (!IsFinite(output.Data))
            throw new AnomalyException($"{op}: forward produced NaN/Inf in an output of shape {TensorShape.Format(output.Shape)}.");
    }

    public static void CheckBackward(GradNode node)
    {
        foreach (var input in node.Inputs)
            if (input.Grad is { } g && !IsFinite(g.Data))
                throw new AnomalyException($"{node.Op}: backward produced NaN/Inf in the gradient of an input of shape {TensorShape.Format(input.Shape)}.");
    }

    private static bool IsFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for finite x and NaN for NaN/Inf, so one sum answers the question (debug mode only).
        float s = 0;
        foreach (var v in values) s += v - v;
        return s == 0;
    }
}
