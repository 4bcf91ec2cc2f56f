using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>What <c>pipeline</c> does with no sub-command: the main job on embedded defaults.</summary>
internal static class MainJob
{
    public static int Run(ParseResult parse) => SelfCheckCommand.Run();
}
