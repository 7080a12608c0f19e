using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VirtDisk
    {
        // Returns a Win32 error code (not an HRESULT) and does not set the last error.
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.VirtDisk, StringMarshalling = StringMarshalling.Utf16)]
        internal static partial int OpenVirtualDisk(
            in VirtualStorageType virtualStorageType,
            string path,
            uint virtualDiskAccessMask,
            uint flags,
            in OpenVirtualDiskParameters parameters,
            out SafeKernelHandle handle);
    }
}
