using Microsoft.Win32.SafeHandles;

namespace Quai.Linux.Seccomp;

/// <summary>A libseccomp scmp_filter_ctx, released with seccomp_release(3).</summary>
public sealed class SeccompFilterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SeccompFilterHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibSeccomp.SeccompRelease(handle);
        return true;
    }
}
