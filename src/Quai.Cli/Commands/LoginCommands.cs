using System.Text.Json.Nodes;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`login` (POST /auth, then config.json "auths") and `logout`.</summary>
internal static class LoginCommands
{
    public static readonly Command Login = new("login", "[OPTIONS] [SERVER]", "Authenticate to a registry",
        [
            Flag.Str("password", 'p', "Password or Personal Access Token (PAT)"),
            Flag.Bool("password-stdin", '\0', "Take the Password or Personal Access Token (PAT) from stdin"),
            Flag.Str("username", 'u', "Username"),
        ], async (ctx, f) =>
        {
            var server = f.Args.Count == 1 ? f.Args[0] : "docker.io";
            var user = f.Str("username");
            var password = f.Str("password");
            if (f.Bool("password-stdin"))
            {
                if (password is not null)
                {
                    throw new CliException("conflicting options: cannot specify both --password and --password-stdin");
                }
                if (user is null)
                {
                    throw new CliException("the --password-stdin option requires --username to be set");
                }
                using var reader = new StreamReader(ctx.StdIn, leaveOpen: true);
                password = (await reader.ReadToEndAsync().ConfigureAwait(false)).TrimEnd('\n', '\r');
            }
            if (password is not null && !f.Bool("password-stdin"))
            {
                await ctx.Err.WriteLineAsync("WARNING! Using --password via the CLI is insecure. Use --password-stdin.").ConfigureAwait(false);
            }
            if (user is null || password is null)
            {
                if (AuthConfig.Get(ctx.ConfigDir, server) is { } stored && user is null && password is null)
                {
                    (user, password) = stored;
                }
                else
                {
                    throw new CliException("Error: Cannot perform an interactive login from a non TTY device");
                }
            }
            var body = new JsonObject { ["username"] = user, ["password"] = password, ["serveraddress"] = AuthConfig.Key(server) };
            var r = await ctx.Client.PostJsonAsync("/auth", body).ConfigureAwait(false);
            AuthConfig.Set(ctx.ConfigDir, server, user, password);
            await ctx.Out.WriteLineAsync(Helpers.S(r, "Status") is { Length: > 0 } s ? s : "Login Succeeded").ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 1 };

    public static readonly Command Logout = new("logout", "[SERVER]", "Log out from a registry",
        [], async (ctx, f) =>
        {
            var server = f.Args.Count == 1 ? f.Args[0] : "docker.io";
            var key = AuthConfig.Key(server);
            if (!AuthConfig.Remove(ctx.ConfigDir, server))
            {
                await ctx.Out.WriteLineAsync($"Not logged in to {key}").ConfigureAwait(false);
                return 0;
            }
            await ctx.Out.WriteLineAsync($"Removing login credentials for {key}").ConfigureAwait(false);
            return 0;
        })
    { MaxArgs = 1 };
}
