using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);
    }
}
