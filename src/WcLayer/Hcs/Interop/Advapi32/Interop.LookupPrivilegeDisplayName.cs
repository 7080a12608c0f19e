using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Advapi32
    {
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Advapi32, EntryPoint = "LookupPrivilegeDisplayNameW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static unsafe partial bool LookupPrivilegeDisplayName(string? systemName, string name, char* displayName, ref uint displayNameLength, out uint languageId);
    }
}
