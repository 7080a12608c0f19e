using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, SetLastError = true)]
        internal static partial int close(int fd);
    }
}
