using System.CommandLine;

namespace Pipeline.Cli;

// PLACEHOLDER: replaced by the caption implementation.
internal static class CaptionCommand
{
    public static Command Create()
    {
        var command = new Command("caption", "Caption images.");
        command.SetAction(_ => { Console.Error.WriteLine("caption: not available in this build."); return 2; });
        return command;
    }
}
