using System.Diagnostics;

namespace Quai.Testing.Registry;

/// <summary>htpasswd entries made by apache2-utils' `htpasswd -Bbn` (bcrypt), as a registry admin would.</summary>
public static class Htpasswd
{
    /// <summary>One "user:$2y$…" line.</summary>
    public static string Create(string user, string password)
    {
        if (!File.Exists("/usr/bin/htpasswd"))
        {
            throw new InvalidOperationException("/usr/bin/htpasswd is missing: install apache2-utils (scripts/deps.sh)");
        }
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/htpasswd") { ArgumentList = { "-Bbn", user, password }, RedirectStandardOutput = true })!;
        var line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"htpasswd -Bbn {user} failed with exit code {p.ExitCode}");
        }
        return line + "\n";
    }
}
