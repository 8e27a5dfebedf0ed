using Pipeline.Cli;

return PipelineCli.Invoke(args);
