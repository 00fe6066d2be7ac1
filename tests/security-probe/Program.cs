// security-probe CONFIG.JSON: applies process.rlimits, the user, capabilities, no_new_privs and
// linux.seccomp of CONFIG.JSON on this thread in quai-runtime's order (ProcessSecurity), then
// execve's process.args with process.env. Exit 125 with a message on stderr when a step fails.
// With root.path set, it chroots there after ProcessSecurity.Prepare, as the runtime pivots
// after compiling the filter: libseccomp.so.2 is then out of reach (runtime-notes.md trap 4).
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;
using Quai.SecurityProbe;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: security-probe CONFIG.JSON");
    return 2;
}

try
{
    var spec = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(args[0]), OciJsonContext.Default.Spec)
        ?? throw new InvalidDataException($"{args[0]}: empty config");
    var process = spec.Process ?? throw new InvalidDataException($"{args[0]}: no process");
    if (process.Args is not { Count: > 0 })
    {
        throw new InvalidDataException($"{args[0]}: process.args is empty");
    }

    var state = new State { Id = "security-probe", Status = ContainerStatus.Creating, Pid = Environment.ProcessId, Bundle = Path.GetDirectoryName(Path.GetFullPath(args[0]))! };
    using var security = ProcessSecurity.Prepare(process, spec.Linux?.Seccomp, state, w => Console.Error.WriteLine("security-probe: warning: " + w));

    // Everything managed that would run after the seccomp filter is in place is prepared now.
    Console.Error.Flush();
    if (spec.Root is { Path: { Length: > 0 } rootPath })
    {
        var root = Path.GetFullPath(rootPath, Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
        if (Native.Chroot(root) != 0 || Native.Chdir("/") != 0)
        {
            throw Quai.Linux.LinuxException.FromLastError("chroot", root);
        }
    }
    var exec = Exec.Prepare(process);

    security.BeforeUserChange();
    UserChange.Apply(process.User);
    security.AfterUserChange();
    exec.Run();
    return 125;
}
catch (Exception e)
{
    Console.Error.WriteLine("security-probe: " + e.Message);
    return 125;
}
