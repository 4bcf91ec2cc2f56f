using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>Every sub-command of the <c>pipeline</c> executable, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return CaptionCommand.Create();
        yield return ClassifyCommand.Create();
        yield return ClusterCommand.Create();
        yield return TrainCommand.Create();
        yield return EvaluateCommand.Create();
        yield return ScoreCaptionsCommand.Create();
        yield return SynthCommand.Create();
        yield return PrepareCommand.Create();
        yield return ConvertCommand.Create();
        yield return SelfCheckCommand.Create();
        yield return BenchCommand.Create();
    }
}
