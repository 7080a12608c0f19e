using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, SetLastError = true)]
        internal static partial long lseek(int fd, long offset, int whence);
    }
}
