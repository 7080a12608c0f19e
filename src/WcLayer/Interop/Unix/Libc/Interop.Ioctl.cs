using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary><c>FICLONE</c>: the destination file shares the source's extents (btrfs, XFS with reflink, bcachefs).</summary>
        internal const nuint FICLONE = 0x40049409;

        [LibraryImport(LibraryName, SetLastError = true)]
        internal static partial int ioctl(int fd, nuint request, nint argument);
    }
}
