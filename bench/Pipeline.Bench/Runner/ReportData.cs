// Everything one `compare` run measured, handed to the Markdown report.
using System.Text.Json;

namespace Pipeline.Bench.Runner;

/// <summary>Collected results of a comparison run.</summary>
internal sealed class ReportData
{
    public required CompareOptions Options { get; init; }
    public required MachineInfo Machine { get; init; }
    public JsonElement? ReferenceInfo { get; set; }
    public JsonElement? DefaultReferenceInfo { get; set; }
    public List<ComparisonResult> Results { get; } = [];
    public List<ComparisonResult> SingleThread { get; } = [];
    public List<AllocationStats> Allocations { get; } = [];
    public MemoryProbe.Result? OursMemory { get; set; }
    public JsonElement? ReferenceMemory { get; set; }
    /// <summary>Earlier runs (--previous): label (file name) and their 2-thread records.</summary>
    public List<(string Label, List<ComparisonResult> Results)> PreviousRuns { get; } = [];
    public CaptionEndToEndResult? CaptionEndToEnd { get; set; }
}
