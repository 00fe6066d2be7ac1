// quai-registry: the OCI distribution server. The logic lives in Quai.Registry.
Console.Error.WriteLine("quai-registry: not built yet");
return 1;
