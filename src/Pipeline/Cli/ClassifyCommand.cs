using System.CommandLine;

namespace Pipeline.Cli;

// PLACEHOLDER: replaced by the classify implementation.
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var command = new Command("classify", "Classify texts.");
        command.SetAction(_ => { Console.Error.WriteLine("classify: not available in this build."); return 2; });
        return command;
    }
}
