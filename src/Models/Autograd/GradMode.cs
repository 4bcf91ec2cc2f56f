// Thread-local switches for the tape: whether ops record their backward (off inside NoGrad, e.g. for
// inference and optimizer updates) and whether every op's output is checked for NaN/Inf.
namespace Pipeline.Models.Autograd;

/// <summary>Controls gradient recording and anomaly detection on the current thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;
    [ThreadStatic] private static bool detectAnomaly;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope.</summary>
    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>When set, the first op whose output (or gradient) holds NaN/Inf throws an exception naming it.</summary>
    public static bool DetectAnomaly { get => detectAnomaly; set => detectAnomaly = value; }

    /// <summary>Disables recording until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad()
    {
        disabledDepth++;
        return new NoGradScope();
    }

    /// <summary>Restores recording when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => disabledDepth--;
    }
}
