// quai-shim: one per container and per exec process, between quaid and the OCI runtime. The logic lives in Quai.Shim.
return Quai.Shim.Server.ShimMain.Run(args);
