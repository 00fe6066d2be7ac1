using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Quai.Api.Http;

namespace Quai.Api.RssProbe;

/// <summary>Serves a docker-like route table on a unix socket until stdin closes.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var router = new Router();
        router.MapGet("/_ping", c => c.Response.WriteTextAsync("OK"));
        router.MapHead("/_ping", c => c.Response.WriteTextAsync("OK"));
        router.MapGet("/version", c => c.Response.WriteJsonAsync(
            new VersionInfo("Quai", "1.50", "1.24", "linux", "amd64"), ProbeJson.Default.VersionInfo, c.RequestAborted));
        router.MapGet("/containers/{name:.*}/json", c =>
            throw new ApiException(ErrorKind.NotFound, "No such container: " + c.Request.RouteValue("name")));
        await using var server = new HttpServer(new HttpServerOptions(), router.HandleAsync, NullLogger.Instance);
        server.ListenUnix(args[0]);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
        await run;
        return 0;
    }
}

internal sealed record VersionInfo(string Version, string ApiVersion, string MinAPIVersion, string Os, string Arch);

[JsonSerializable(typeof(VersionInfo))]
internal sealed partial class ProbeJson : JsonSerializerContext;
