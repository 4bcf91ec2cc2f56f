using Pipeline.Cli;

return await PipelineCli.RunAsync(args);
