using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Offreg
    {
        /// <summary><c>DWORD ORCloseHive(ORHKEY hKey)</c>: frees a hive handle; returns a Win32 code (0 = success).</summary>
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Offreg)]
        internal static partial int ORCloseHive(nint hive);
    }
}
