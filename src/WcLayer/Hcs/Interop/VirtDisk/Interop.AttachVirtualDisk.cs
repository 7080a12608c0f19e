using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VirtDisk
    {
        /// <summary><c>ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY</c>: default BitLocker policy would otherwise block the attach.</summary>
        internal const uint AttachVirtualDiskFlagBypassDefaultEncryptionPolicy = 0x20;

        // Returns a Win32 error code (not an HRESULT).
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.VirtDisk)]
        internal static partial int AttachVirtualDisk(
            SafeKernelHandle virtualDiskHandle,
            nint securityDescriptor,
            uint flags,
            uint providerSpecificFlags,
            nint parameters,
            nint overlapped);
    }
}
