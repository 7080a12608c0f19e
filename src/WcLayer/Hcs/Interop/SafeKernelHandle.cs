using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace WcLayer.Hcs;

/// <summary>
/// A kernel handle closed with <c>CloseHandle</c> (files, volumes, virtual disks, tokens). Not
/// <see cref="SafeFileHandle"/>: on non-Windows hosts (the contract tests) that one would close a POSIX descriptor.
/// Closing a virtual disk handle also detaches a disk attached without the permanent flag.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeKernelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeKernelHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => Interop.Kernel32.CloseHandle(handle);
}
