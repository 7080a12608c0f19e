using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint MOVE_MOUNT_F_EMPTY_PATH = 0x4;

        /// <summary><c>move_mount(2)</c>: attaches a detached mount at a path.</summary>
        internal static int move_mount(int fromDirectory, string fromPath, int toDirectory, string toPath, uint flags) =>
            (int)syscall_move_mount(SYS_move_mount, fromDirectory, fromPath, toDirectory, toPath, flags);

        [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint syscall_move_mount(nint number, int fromDirectory, string fromPath, int toDirectory, string toPath, uint flags);
    }
}
