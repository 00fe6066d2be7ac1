using System.Diagnostics;
using System.Text;

namespace Quai.E2E.Tests.Infra;

/// <summary>Runs a command as a user would, capturing stdout, stderr and the exit code.</summary>
public static class Cli
{
    /// <summary>
    /// Runs <paramref name="file"/>; with <paramref name="stdin"/> the text is written and stdin
    /// closed (EOF), without it stdin stays open and empty until the command exits (as a terminal
    /// nobody types into). Killed, and reported, after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<CliResult> RunAsync(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, string? stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        var command = file + " " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? "'" + a + "'" : a));
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            try
            {
                await p.StandardInput.WriteAsync(stdin);
                p.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command exited without reading its input; its exit code tells the story.
            }
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            throw new TimeoutException($"`{command}` did not finish within {timeout.TotalSeconds} s\nstdout: {await stdout}\nstderr: {await stderr}");
        }
        var result = new CliResult(command, p.ExitCode, await stdout, await stderr);
        if (stdin is null)
        {
            try
            {
                p.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
        return result;
    }
}
