using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>The <c>train</c> group: <c>train captioner</c>, <c>train classifier</c>, <c>train embeddings</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train models.");
        command.Subcommands.Add(TrainCaptionerCommand.Create());
        command.Subcommands.Add(TrainClassifierCommand.Create());
        command.Subcommands.Add(TrainEmbeddingsCommand.Create());
        return command;
    }
}
