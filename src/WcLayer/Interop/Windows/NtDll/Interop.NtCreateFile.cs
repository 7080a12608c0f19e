using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        internal const uint FileOpen = 1;
        internal const uint FileCreate = 2;

        internal const uint FileDirectoryFile = 0x1;
        internal const uint FileSynchronousIoNonAlert = 0x20;
        internal const uint FileNonDirectoryFile = 0x40;
        internal const uint FileOpenForBackupIntent = 0x4000;
        internal const uint FileOpenReparsePoint = 0x200000;

        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(WindowsLibraries.NtDll)]
        internal static unsafe partial int NtCreateFile(
            nint* fileHandle,
            uint desiredAccess,
            ObjectAttributes* objectAttributes,
            IoStatusBlock* ioStatusBlock,
            long* allocationSize,
            uint fileAttributes,
            uint shareAccess,
            uint createDisposition,
            uint createOptions,
            void* eaBuffer,
            uint eaLength);
    }
}
