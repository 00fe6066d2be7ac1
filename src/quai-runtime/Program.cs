// quai-runtime: the OCI runtime's command line. The logic lives in Quai.Runtime.
Console.Error.WriteLine("quai-runtime: not built yet");
return 1;
