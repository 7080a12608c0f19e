using System.Runtime.Versioning;

namespace WcLayer.Hcs;

[SupportedOSPlatform("windows")]
internal static partial class Interop
{
    /// <summary>
    /// The DLL names every import binds to. Tests route them to a native double by these names. Every import is
    /// searched in System32 only (as Go's <c>NewLazySystemDLL</c>), so a DLL planted beside the application is never used.
    /// </summary>
    internal static class Libraries
    {
        internal const string VmCompute = "vmcompute.dll";
        internal const string VirtDisk = "virtdisk.dll";
        internal const string Kernel32 = "kernel32.dll";
        internal const string Advapi32 = "advapi32.dll";
        internal const string Offreg = "offreg.dll";
        internal const string NtDll = "ntdll.dll";

        // hcsshim binds api-ms-win-core-com-l1-1-0.dll; ole32 forwards to the same combase export and exists on every SKU.
        internal const string Ole32 = "ole32.dll";
    }
}
