using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const byte DT_DIR = 4;
        internal const byte DT_REG = 8;
        internal const byte DT_LNK = 10;

        /// <summary>Reads <c>struct linux_dirent64</c> records (d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name) from a directory descriptor.</summary>
        [LibraryImport(LibraryName, SetLastError = true)]
        internal static unsafe partial nint getdents64(int fd, byte* dirp, nuint count);
    }
}
