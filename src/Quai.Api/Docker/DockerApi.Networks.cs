using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    /// <summary>
    /// Docker's three predefined networks. Bridge and user-defined networks come with Quai.Network
    /// (issue #5); until then a container on "bridge" gets an isolated namespace with loopback only,
    /// and creating networks is refused with a clear error.
    /// </summary>
    private void MapNetworks(Router r)
    {
        r.MapGet("/networks", ctx => ctx.Response.WriteJsonAsync(BuiltinNetworks(), ApiJsonContext.Default.ListNetwork, ctx.RequestAborted));
        r.MapGet("/networks/{id}", ctx =>
        {
            var id = Id(ctx);
            var n = BuiltinNetworks().FirstOrDefault(n => n.Name == id || n.Id == id || (id.Length >= 3 && n.Id!.StartsWith(id, StringComparison.Ordinal)))
                ?? throw new EngineException(EngineErrorKind.NotFound, $"network {id} not found");
            return ctx.Response.WriteJsonAsync(n, ApiJsonContext.Default.Network, ctx.RequestAborted);
        });
        r.MapPost("/networks/create", _ => throw new ApiException(ErrorKind.NotImplemented, "user-defined networks are not available in this build of quaid yet (bridge, host and none are)"));
        r.MapPost("/networks/prune", ctx => ctx.Response.WriteJsonAsync(new NetworkPruneResponse { NetworksDeleted = [] }, ApiJsonContext.Default.NetworkPruneResponse, ctx.RequestAborted));
    }

    private List<Network> BuiltinNetworks()
    {
        var containers = _engine.Containers.All();
        Network Make(string name, string driver, string id) => new()
        {
            Name = name,
            Id = id,
            Created = Engine.Containers.ContainerService.Rfc3339(_engine.Started),
            Scope = "local",
            Driver = driver,
            EnableIPv4 = true,
            EnableIPv6 = false,
            IPAM = new IPAM { Driver = "default", Options = [], Config = [] },
            Internal = false,
            Attachable = false,
            Ingress = false,
            Containers = containers.Where(c => c.HostConfig.NetworkMode == name && c.State.IsRunning)
                .ToDictionary(c => c.Id, c => new NetworkContainer { Name = c.Name, EndpointID = "", MacAddress = "", IPv4Address = "", IPv6Address = "" }),
            Options = [],
            Labels = [],
        };
        return
        [
            Make("bridge", "bridge", StableId("bridge")),
            Make("host", "host", StableId("host")),
            Make("none", "null", StableId("none")),
        ];
    }

    private string StableId(string name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Daemon.Id + "/network/" + name)));
}
