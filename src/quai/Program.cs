using Quai.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
