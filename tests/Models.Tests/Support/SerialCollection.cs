namespace Pipeline.Models.Tests.Support;

/// <summary>Tests that read process-wide counters or change process-wide settings run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
