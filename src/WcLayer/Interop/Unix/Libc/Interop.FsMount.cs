using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint FSMOUNT_CLOEXEC = 0x1;

        /// <summary><c>fsmount(2)</c>: turns a configured file-system context into a detached mount.</summary>
        internal static int fsmount(int fd, uint flags, uint attributes) => (int)syscall_ints(SYS_fsmount, fd, flags, attributes);

        [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true)]
        private static partial nint syscall_ints(nint number, int a, uint b, uint c);
    }
}
