// quai-runtime: the OCI runtime's command line (runc-compatible). The logic lives in Quai.Runtime.
return Quai.Runtime.Cli.RuntimeCli.Run(args);
