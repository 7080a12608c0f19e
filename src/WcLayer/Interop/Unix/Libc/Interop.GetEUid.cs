using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, SetLastError = false)]
        internal static partial uint geteuid();
    }
}
