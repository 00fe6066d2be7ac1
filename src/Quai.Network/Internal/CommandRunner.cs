using System.Diagnostics;

namespace Quai.Network.Internal;

/// <summary>The outcome of one external command: exit code and captured output.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs external programs (CNI plugins, iptables, ip) with captured stdin/stdout/stderr.</summary>
internal static class CommandRunner
{
    /// <summary>Runs <paramref name="program"/> to completion; never throws for a non-zero exit.</summary>
    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool clearEnvironment = false,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (clearEnvironment)
        {
            // CNI plugins read their whole contract from CNI_* variables: keep only PATH so a
            // stray CNI_ARGS of the daemon's own environment can never leak into a call.
            var path = info.Environment.TryGetValue("PATH", out var p) ? p : null;
            info.Environment.Clear();
            info.Environment["PATH"] = path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"cannot run {program}: {e.Message}; is it installed?", program, e);
        }
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderrTask = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading its input; its exit code and stderr say why.
        }
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            throw;
        }
        var stdout = await stdoutTask.ConfigureAwait(false);
        var stderr = await stderrTask.ConfigureAwait(false);
        return new CommandResult(process.ExitCode, stdout, stderr);
    }

    /// <summary>Runs a program and throws naming the command line and its stderr when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(program, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.Stderr.Trim()}");
        }
        return result.Stdout;
    }
}
