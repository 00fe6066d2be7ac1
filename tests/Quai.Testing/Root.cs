namespace Quai.Testing;

/// <summary>Facts about the test environment.</summary>
public static class Root
{
    /// <summary>True when the tests run as root (CI always does).</summary>
    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || GetEuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    /// <summary>
    /// Throws unless root: integration tests must not silently pass or skip in CI (STYLE.md §9).
    /// </summary>
    public static void Require()
    {
        if (!IsRoot)
        {
            throw new InvalidOperationException("this integration test needs root (run ./test.sh as root, as CI does)");
        }
    }
}
