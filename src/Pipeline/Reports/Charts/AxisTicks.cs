// "Nice" axis ticks: steps of 1, 2 or 5 × 10^n chosen so that about the requested number of ticks
// cover the data range (the rule from Heckbert, "Nice numbers for graph labels", Graphics Gems 1990).
using System.Globalization;

namespace Pipeline.Reports.Charts;

/// <summary>Tick positions of one axis and the extended range they span.</summary>
/// <param name="Min">Lower end of the axis (first tick).</param>
/// <param name="Max">Upper end of the axis (last tick).</param>
/// <param name="Step">Distance between ticks.</param>
public sealed record AxisTicks(double Min, double Max, double Step)
{
    /// <summary>Tick values from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IReadOnlyList<double> Values
    {
        get
        {
            int count = (int)Math.Round((Max - Min) / Step) + 1;
            return Enumerable.Range(0, count).Select(i => Min + i * Step).ToArray();
        }
    }

    /// <summary>Computes ticks for data in [<paramref name="dataMin"/>, <paramref name="dataMax"/>].</summary>
    /// <param name="dataMin">Smallest data value.</param>
    /// <param name="dataMax">Largest data value.</param>
    /// <param name="targetCount">About how many ticks to show.</param>
    /// <param name="integerSteps">Whether steps must be whole numbers (epochs).</param>
    public static AxisTicks For(double dataMin, double dataMax, int targetCount = 5, bool integerSteps = false)
    {
        if (!double.IsFinite(dataMin) || !double.IsFinite(dataMax)) (dataMin, dataMax) = (0, 1);
        if (dataMax < dataMin) (dataMin, dataMax) = (dataMax, dataMin);
        if (dataMax - dataMin < 1e-12)
        {
            // A flat series still needs a visible range around it.
            double pad = Math.Abs(dataMin) > 1e-12 ? Math.Abs(dataMin) * 0.1 : 1;
            (dataMin, dataMax) = (dataMin - pad, dataMax + pad);
        }
        double step = NiceStep((dataMax - dataMin) / Math.Max(1, targetCount - 1));
        if (integerSteps) step = Math.Max(1, Math.Round(step));
        double min = Math.Floor(dataMin / step + 1e-9) * step;
        double max = Math.Ceiling(dataMax / step - 1e-9) * step;
        return new AxisTicks(min, max, step);
    }

    /// <summary>Formats a tick value with just enough decimals for the step.</summary>
    public string Format(double value)
    {
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(Step) - 1e-9), 0, 6);
        if (Math.Abs(value) < Step * 1e-6) value = 0; // avoid "-0"
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double rough)
    {
        double exponent = Math.Floor(Math.Log10(rough));
        double fraction = rough / Math.Pow(10, exponent);
        // Heckbert's rounding thresholds: the nearest of 1, 2, 5, 10 on a roughly logarithmic scale.
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}
