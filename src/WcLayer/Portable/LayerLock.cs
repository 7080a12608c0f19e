using System.Runtime.InteropServices;

namespace WcLayer.Portable;

/// <summary>
/// An exclusive lock on one layer for the duration of an operation: a lock file beside the layer folder
/// (<c>.&lt;name&gt;.wclayer.lock</c>) held open without sharing, and removed when released, so nothing is left behind.
/// Operations on different layers never wait for each other; a conflicting operation on the same layer waits, then
/// fails with <c>ERROR_SHARING_VIOLATION</c>.
/// </summary>
/// <remarks>
/// On Unix the file is unlinked while still locked; an acquirer checks that the file it locked is still the one at
/// the path, so it never holds a lock on a file another process already removed. On Windows the file is opened
/// delete-on-close, which Windows does atomically with the release.
/// </remarks>
internal sealed class LayerLock : IDisposable
{
    private readonly FileStream _file;
    private readonly string _path;

    private LayerLock(FileStream file, string path)
    {
        _file = file;
        _path = path;
    }

    public static string PathFor(string layerPath)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(layerPath));
        return Path.Combine(Path.GetDirectoryName(full) ?? full, "." + Path.GetFileName(full) + ".wclayer.lock");
    }

    public static LayerLock Acquire(string layerPath, string operation, TimeSpan timeout)
    {
        string lockPath = PathFor(layerPath);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            FileStream file;
            try
            {
                file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1,
                    OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            }
            catch (DirectoryNotFoundException)
            {
                throw new HcsException(operation, Win32Error.PathNotFound, layerPath);
            }
            catch (IOException e)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new HcsException(operation, Win32Error.SharingViolation, layerPath, innerException: e);
                }

                Thread.Sleep(20);
                continue;
            }

            if (OperatingSystem.IsWindows() || IsStillAt(file, lockPath))
            {
                return new LayerLock(file, lockPath);
            }

            // The holder before us removed the file after we opened it: lock the new one instead.
            file.Dispose();
        }
    }

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(_path);
        }

        _file.Dispose();
    }

    private static unsafe bool IsStillAt(FileStream file, string path)
    {
        Interop.Libc.StatxBuffer opened;
        Interop.Libc.StatxBuffer current;
        if (Interop.Libc.statx((int)file.SafeFileHandle.DangerousGetHandle(), string.Empty, Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_BASIC_STATS, &opened) != 0)
        {
            throw new IOException($"statx of {path} failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return Interop.Libc.statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_SYMLINK_NOFOLLOW, Interop.Libc.STATX_BASIC_STATS, &current) == 0
            && opened.Inode == current.Inode && opened.DeviceMajor == current.DeviceMajor && opened.DeviceMinor == current.DeviceMinor;
    }
}
