using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int LOCK_SH = 1;
        internal const int LOCK_EX = 2;
        internal const int LOCK_NB = 4;

        [LibraryImport(LibraryName, SetLastError = true)]
        internal static partial int flock(int fd, int operation);
    }
}
