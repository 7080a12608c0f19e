using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        internal const uint GenericRead = 0x80000000;
        internal const uint GenericWrite = 0x40000000;
        internal const uint FileShareRead = 1;
        internal const uint FileShareWrite = 2;
        internal const uint OpenExisting = 3;

        // Also declared in Interop/Windows/Kernel32 returning SafeFileHandle (for FileStream); this one returns the
        // HCS code's SafeKernelHandle, released by CloseHandle, which the contract double records.
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Kernel32, EntryPoint = "CreateFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
        internal static partial SafeKernelHandle CreateFile(
            string fileName,
            uint desiredAccess,
            uint shareMode,
            nint securityAttributes,
            uint creationDisposition,
            uint flagsAndAttributes,
            nint templateFile);
    }
}
