using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary><c>NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW)</c>: the real OS version, not the manifest-shimmed one.</summary>
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.NtDll)]
        internal static partial int RtlGetVersion(ref OsVersionInfoEx versionInfo);
    }
}
