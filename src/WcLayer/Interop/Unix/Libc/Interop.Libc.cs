internal static partial class Interop
{
    /// <summary>The C library calls of the Unix file-system seam (Linux ABI: statx, fsetxattr).</summary>
    internal static partial class Libc
    {
        internal const string LibraryName = "libc";

        internal const int AT_FDCWD = -100;
        internal const int AT_REMOVEDIR = 0x200;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_EMPTY_PATH = 0x1000;

        internal const int O_RDONLY = 0x0;
        internal const int O_WRONLY = 0x1;
        internal const int O_RDWR = 0x2;
        internal const int O_CREAT = 0x40;
        internal const int O_EXCL = 0x80;
        internal const int O_TRUNC = 0x200;
        internal const int O_NONBLOCK = 0x800;
        internal const int O_DIRECTORY = 0x10000;
        internal const int O_NOFOLLOW = 0x20000;
        internal const int O_CLOEXEC = 0x80000;

        internal const int MNT_DETACH = 0x2;

        internal const int ENOENT = 2;
        internal const int EBADF = 9;
        internal const int EACCES = 13;
        internal const int EEXIST = 17;
        internal const int EXDEV = 18;
        internal const int EAGAIN = 11;
        internal const int EROFS = 30;
        internal const int EPERM = 1;
        internal const int ENOTDIR = 20;
        internal const int EISDIR = 21;
        internal const int EINVAL = 22;
        internal const int ENOSPC = 28;
        internal const int ERANGE = 34;
        internal const int ENAMETOOLONG = 36;
        internal const int ENOTEMPTY = 39;
        internal const int ELOOP = 40;
        internal const int ENODATA = 61;
        internal const int EOPNOTSUPP = 95;
        internal const int E2BIG = 7;
        internal const int EBUSY = 16;
        internal const int ENODEV = 19;
        internal const int ENOSYS = 38;
    }
}
