using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint FSCONFIG_SET_FLAG = 0;
        internal const uint FSCONFIG_SET_STRING = 1;
        internal const uint FSCONFIG_CMD_CREATE = 6;

        /// <summary><c>fsconfig(2)</c>: sets one parameter of a file-system context (one overlay <c>lowerdir+</c> per call, so no option-string limit).</summary>
        internal static int fsconfig(int fd, uint command, string? key, string? value, int auxiliary) =>
            (int)syscall_fsconfig(SYS_fsconfig, fd, command, key, value, auxiliary);

        [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint syscall_fsconfig(nint number, int fd, uint command, string? key, string? value, int auxiliary);
    }
}
