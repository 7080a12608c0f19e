using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WcLayer.Portable;

/// <summary>
/// A lock on one layer for the whole duration of an operation: a lock file beside the layer folder
/// (<c>.&lt;name&gt;.wclayer.lock</c>). Operations that change a layer (import, create, prepare, destroy) take it
/// exclusively; operations that only read it (readers, exports, a child's import or prepare reading its parents) take
/// it shared, so they run together but never while it changes or disappears. Operations on different layers never
/// wait for each other; a conflicting operation waits, then fails with <c>ERROR_SHARING_VIOLATION</c>.
/// </summary>
/// <remarks>
/// <para>On Unix the lock is <c>flock(2)</c> on the file, which is removed when the last holder releases it (an
/// exclusive holder always, a shared one when it can take the lock exclusively at release), so nothing is left
/// behind; an acquirer checks that the file it locked is still the one at the path. On Windows the file is opened
/// delete-on-close without sharing, so there every lock is exclusive.</para>
/// <para>In a store folder that cannot be written (a read-only mount), shared locks are not needed, since nothing can
/// change there, and are skipped; an exclusive lock fails with <c>ERROR_WRITE_PROTECT</c> saying so.</para>
/// </remarks>
internal sealed class LayerLock : IDisposable
{
    private readonly SafeFileHandle? _handle;
    private readonly FileStream? _windowsFile;
    private readonly string _path;
    private readonly bool _shared;

    private LayerLock(SafeFileHandle? handle, FileStream? windowsFile, string path, bool shared)
    {
        _handle = handle;
        _windowsFile = windowsFile;
        _path = path;
        _shared = shared;
    }

    public static string PathFor(string layerPath)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(layerPath));
        return Path.Combine(Path.GetDirectoryName(full) ?? full, "." + Path.GetFileName(full) + ".wclayer.lock");
    }

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/> for a conflicting holder.</summary>
    /// <param name="layerPath">The layer.</param>
    /// <param name="operation">The operation, for messages.</param>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> tries once.</param>
    /// <param name="shared">Share the lock with other readers.</param>
    public static LayerLock Acquire(string layerPath, string operation, TimeSpan timeout, bool shared = false)
    {
        string lockPath = PathFor(layerPath);
        DateTime deadline = DateTime.UtcNow + timeout;
        return OperatingSystem.IsWindows()
            ? AcquireWindows(layerPath, lockPath, operation, deadline)
            : AcquireUnix(layerPath, lockPath, operation, deadline, shared);
    }

    public void Dispose()
    {
        if (_windowsFile is not null)
        {
            _windowsFile.Dispose();
            return;
        }

        if (_handle is null)
        {
            return;
        }

        // Remove the file only when no one else holds it: always for an exclusive lock; for a shared one, when it can
        // be taken exclusively right now (a failed attempt may drop the shared lock, which is being released anyway).
        int fd = (int)_handle.DangerousGetHandle();
        if (!_shared || Interop.Libc.flock(fd, Interop.Libc.LOCK_EX | Interop.Libc.LOCK_NB) == 0)
        {
            _ = Interop.Libc.unlinkat(Interop.Libc.AT_FDCWD, _path, 0);
        }

        _handle.Dispose();
    }

    private static LayerLock AcquireUnix(string layerPath, string lockPath, string operation, DateTime deadline, bool shared)
    {
        while (true)
        {
            int fd = Interop.Libc.openat(Interop.Libc.AT_FDCWD, lockPath,
                Interop.Libc.O_RDWR | Interop.Libc.O_CREAT | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0x1A4);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.ENOENT || errno == Interop.Libc.ENOTDIR)
                {
                    throw new HcsException(operation, Win32Error.PathNotFound, layerPath);
                }

                if (errno is Interop.Libc.EROFS or Interop.Libc.EACCES or Interop.Libc.EPERM)
                {
                    if (shared)
                    {
                        // Nothing can change a layer in a folder no one can write to: reading needs no lock there.
                        return new LayerLock(null, null, lockPath, shared);
                    }

                    throw new HcsException(operation, errno == Interop.Libc.EROFS ? Win32Error.WriteProtect : Win32Error.AccessDenied, layerPath,
                        string.Create(CultureInfo.InvariantCulture,
                            $"(the store folder {Path.GetDirectoryName(lockPath)} is {(errno == Interop.Libc.EROFS ? "on a read-only file system" : "not writable by this user")}: layers there can be read and exported, not changed)"));
                }

                throw new HcsException(operation, Win32Error.AccessDenied, layerPath,
                    string.Create(CultureInfo.InvariantCulture, $"(the lock file {lockPath} cannot be opened: errno {errno})"));
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (!TryLock(handle, shared, deadline))
            {
                handle.Dispose();
                throw new HcsException(operation, Win32Error.SharingViolation, layerPath,
                    "(another operation is using this layer; it waited for it to finish)");
            }

            if (IsStillAt(handle, lockPath))
            {
                return new LayerLock(handle, null, lockPath, shared);
            }

            // The holder before us removed the file after we opened it: lock the new one instead.
            handle.Dispose();
        }
    }

    private static bool TryLock(SafeFileHandle handle, bool shared, DateTime deadline)
    {
        int operation = (shared ? Interop.Libc.LOCK_SH : Interop.Libc.LOCK_EX) | Interop.Libc.LOCK_NB;
        while (Interop.Libc.flock((int)handle.DangerousGetHandle(), operation) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Libc.EAGAIN && errno != 4 /* EINTR */)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"flock failed with errno {errno}."));
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    private static LayerLock AcquireWindows(string layerPath, string lockPath, string operation, DateTime deadline)
    {
        while (true)
        {
            try
            {
                var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                return new LayerLock(null, file, lockPath, shared: false);
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
            }
        }
    }

    private static unsafe bool IsStillAt(SafeFileHandle handle, string path)
    {
        Interop.Libc.StatxBuffer opened;
        Interop.Libc.StatxBuffer current;
        if (Interop.Libc.statx((int)handle.DangerousGetHandle(), string.Empty, Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_BASIC_STATS, &opened) != 0)
        {
            throw new IOException($"statx of {path} failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return Interop.Libc.statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_SYMLINK_NOFOLLOW, Interop.Libc.STATX_BASIC_STATS, &current) == 0
            && opened.Inode == current.Inode && opened.DeviceMajor == current.DeviceMajor && opened.DeviceMinor == current.DeviceMinor;
    }
}
