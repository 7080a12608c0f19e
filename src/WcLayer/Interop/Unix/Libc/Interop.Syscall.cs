using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // The new mount API's numbers are the same on every architecture (added after the syscall table unification).
        internal const nint SYS_move_mount = 429;
        internal const nint SYS_fsopen = 430;
        internal const nint SYS_fsconfig = 431;
        internal const nint SYS_fsmount = 432;

        [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint syscall_string(nint number, string argument, uint flags);
    }
}
