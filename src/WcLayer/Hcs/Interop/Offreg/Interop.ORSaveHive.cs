using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Offreg
    {
        /// <summary>
        /// <c>DWORD ORSaveHive(ORHKEY hKey, PCWSTR lpHivePath, DWORD dwOsMajorVersion, DWORD dwOsMinorVersion)</c>:
        /// writes the hive to a file in the format of the given Windows version; returns a Win32 code (0 = success).
        /// </summary>
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Offreg, StringMarshalling = StringMarshalling.Utf16)]
        internal static partial int ORSaveHive(nint hive, string hivePath, uint osMajorVersion, uint osMinorVersion);
    }
}
