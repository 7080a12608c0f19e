using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(WindowsLibraries.NtDll)]
        internal static unsafe partial int NtSetInformationFile(
            SafeFileHandle fileHandle,
            IoStatusBlock* ioStatusBlock,
            void* fileInformation,
            uint length,
            int fileInformationClass);
    }
}
