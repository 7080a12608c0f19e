using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(WindowsLibraries.NtDll)]
        internal static partial uint RtlNtStatusToDosError(int status);
    }
}
