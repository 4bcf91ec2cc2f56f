// One configuration's side-by-side result: our per-step times and the reference's (tuned, and the
// default environment when measured), with the summary figures written to JSON lines and the report.
using System.Text.Json.Serialization;

namespace Pipeline.Bench.Runner;

/// <summary>Per-step samples of one side.</summary>
internal sealed record SideSamples(List<double> Times)
{
    public double Median => Timing.Median(Times);
    public double Min => Timing.Min(Times);
}

/// <summary>Summary record of one compared configuration (serialised as one JSON line).</summary>
internal sealed record ComparisonResult
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("reference_name")] public required string ReferenceName { get; init; }
    [JsonPropertyName("threads")] public int Threads { get; init; }
    [JsonPropertyName("iters")] public int Iterations { get; init; }
    [JsonPropertyName("ours_median_ms")] public double OursMedianMs { get; init; }
    [JsonPropertyName("ours_min_ms")] public double OursMinMs { get; init; }
    [JsonPropertyName("reference_median_ms")] public double ReferenceMedianMs { get; init; }
    [JsonPropertyName("reference_min_ms")] public double ReferenceMinMs { get; init; }
    [JsonPropertyName("reference_default_median_ms")] public double? DefaultMedianMs { get; init; }
    [JsonPropertyName("reference_default_min_ms")] public double? DefaultMinMs { get; init; }
    /// <summary>ours / tuned reference, medians (&lt; 1 = we are faster).</summary>
    [JsonPropertyName("ratio")] public double Ratio { get; init; }
    [JsonPropertyName("ratio_min")] public double RatioMin { get; init; }
    [JsonPropertyName("ratio_default")] public double? RatioDefault { get; init; }
    [JsonPropertyName("ours_figures")] public Dictionary<string, double> OursFigures { get; init; } = [];
    [JsonPropertyName("reference_figures")] public Dictionary<string, double> ReferenceFigures { get; init; } = [];
    [JsonPropertyName("ours_params")] public long OursParameters { get; init; }
    [JsonPropertyName("reference_params")] public long? ReferenceParameters { get; init; }
    [JsonPropertyName("env")] public string Environment { get; init; } = "tuned";
    [JsonPropertyName("openblas_core")] public string? OpenBlasCore { get; init; }
    [JsonPropertyName("load_before")] public double LoadBefore { get; init; }
    [JsonPropertyName("load_after")] public double LoadAfter { get; init; }
    /// <summary>Cores the machine really gave two busy threads just before and after the config (see CpuAvailability).</summary>
    [JsonPropertyName("cores_available_before")] public double CoresBefore { get; init; }
    [JsonPropertyName("cores_available_after")] public double CoresAfter { get; init; }
    /// <summary>ONNX Runtime's figures (resnet18_* configurations only; null elsewhere).</summary>
    [JsonPropertyName("ort_median_ms")] public double? OrtMedianMs { get; init; }
    [JsonPropertyName("ort_min_ms")] public double? OrtMinMs { get; init; }
    /// <summary>ours / ONNX Runtime, medians.</summary>
    [JsonPropertyName("ratio_ort")] public double? RatioOrt { get; init; }
    [JsonPropertyName("ratio_ort_min")] public double? RatioOrtMin { get; init; }
    [JsonPropertyName("ort_options")] public string? OrtOptions { get; init; }
    [JsonPropertyName("ort_times_ms")] public List<double>? OrtTimes { get; init; }
    [JsonPropertyName("ours_times_ms")] public List<double> OursTimes { get; init; } = [];
    [JsonPropertyName("reference_times_ms")] public List<double> ReferenceTimes { get; init; } = [];
}
