using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int FSOPEN_CLOEXEC = 0x1;

        /// <summary><c>fsopen(2)</c>, the new mount API's first step (no glibc wrapper before 2.36: called through <c>syscall</c>).</summary>
        internal static int fsopen(string fileSystemName, uint flags) => (int)syscall_string(SYS_fsopen, fileSystemName, flags);
    }
}
