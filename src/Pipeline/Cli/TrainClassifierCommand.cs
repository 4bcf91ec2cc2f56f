using System.CommandLine;

namespace Pipeline.Cli;

// PLACEHOLDER: replaced by the classifier implementation.
internal static class TrainClassifierCommand
{
    public static Command Create()
    {
        var command = new Command("classifier", "Train a text classifier.");
        command.SetAction(_ => { Console.Error.WriteLine("classifier: not available in this build."); return 2; });
        return command;
    }
}
