using System.Diagnostics;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>
/// A busybox <c>sh -c</c> child that waits for a line on stdin (the builtin <c>read</c>, no fork)
/// before running its script, so a test can place it in a cgroup before it does anything.
/// </summary>
internal sealed class CgroupChild : IDisposable
{
    private readonly List<string> stdout = [];
    private readonly List<string> stderr = [];

    private CgroupChild(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>Lines the script printed so far.</summary>
    public int StdoutLines
    {
        get
        {
            lock (stdout)
            {
                return stdout.Count;
            }
        }
    }

    /// <summary>What the script printed to stdout so far, lines joined by \n.</summary>
    public string Output
    {
        get
        {
            lock (stdout)
            {
                return string.Join('\n', stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return string.Join('\n', stderr);
            }
        }
    }

    public static CgroupChild Start(string script)
    {
        var psi = new ProcessStartInfo(Busybox.BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("read go; " + script);
        var child = new CgroupChild(Process.Start(psi)!);
        child.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child.stdout)
                {
                    child.stdout.Add(e.Data);
                }
            }
        };
        child.Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child.stderr)
                {
                    child.stderr.Add(e.Data);
                }
            }
        };
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Lets the script run.</summary>
    public void Go()
    {
        Process.StandardInput.WriteLine("go");
        Process.StandardInput.Flush();
    }

    /// <summary>Waits for the exit and returns the exit code (128 + signal when killed, as .NET reports it).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(Process.WaitForExit(timeout), $"pid {Pid} did not exit within {timeout}; stderr: {Stderr}");
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        Process.Dispose();
    }
}
