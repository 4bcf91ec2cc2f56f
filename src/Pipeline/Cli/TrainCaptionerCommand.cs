using System.CommandLine;

namespace Pipeline.Cli;

// PLACEHOLDER: replaced by the captioner implementation.
internal static class TrainCaptionerCommand
{
    public static Command Create()
    {
        var command = new Command("captioner", "Train an image captioner.");
        command.SetAction(_ => { Console.Error.WriteLine("captioner: not available in this build."); return 2; });
        return command;
    }
}
