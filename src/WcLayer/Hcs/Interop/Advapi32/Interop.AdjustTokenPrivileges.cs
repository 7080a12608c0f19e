using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Advapi32
    {
        internal const uint SePrivilegeEnabled = 2;

        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Advapi32, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static unsafe partial bool AdjustTokenPrivileges(
            SafeKernelHandle tokenHandle,
            [MarshalAs(UnmanagedType.Bool)] bool disableAllPrivileges,
            TokenPrivileges* newState,
            uint bufferLength,
            TokenPrivileges* previousState,
            uint* returnLength);
    }
}
