using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// Deletes folders of the store so that a wrong path can never cost the caller anything but an error: only a layer
/// of this store is destroyed, no link is ever followed, nothing mounted inside is emptied, and a layer is whole or
/// gone, never half deleted.
/// </summary>
/// <remarks>
/// <para>A layer is first renamed to a hidden trash name beside it (<c>.&lt;name&gt;.wclayer-trash-&lt;random&gt;</c>)
/// and only then deleted, so a killed removal leaves a complete layer or a trash folder that nothing reads and that a
/// later removal in the same folder sweeps.</para>
/// <para>The layer folder is opened once without following links and everything after is relative to that
/// descriptor: a folder swapped for a link between the check and the deletion is not followed either.</para>
/// </remarks>
internal static class LayerRemoval
{
    private const int MaxMetadataLength = 1 << 20;

    /// <summary>The absolute path without a trailing separator (so the last component is the folder itself, not a link's target).</summary>
    public static string Normalize(string path)
    {
        string full = Path.GetFullPath(path);
        string trimmed = Path.TrimEndingDirectorySeparator(full);
        return trimmed.Length == 0 ? full : trimmed;
    }

    /// <summary>
    /// Refuses, before anything else happens, the paths whose loss would be a disaster whatever they contain: a file
    /// system root and the user's home (or a folder that contains it).
    /// </summary>
    public static void RefuseProtectedPath(string fullPath, string operation) =>
        RefuseProtectedPath(fullPath, operation, [Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Environment.GetEnvironmentVariable("HOME")]);

    /// <summary>As <see cref="RefuseProtectedPath(string, string)"/>, with the home folders given (tests pass decoys).</summary>
    internal static void RefuseProtectedPath(string fullPath, string operation, IEnumerable<string?> homes)
    {
        if (Path.GetPathRoot(fullPath) is { } root && string.Equals(Path.TrimEndingDirectorySeparator(root), fullPath, StringComparison.Ordinal)
            || Path.GetFileName(fullPath).Length == 0)
        {
            throw NotRemovable(operation, fullPath, "it is the root of the file system");
        }

        foreach (string? home in homes)
        {
            if (string.IsNullOrEmpty(home))
            {
                continue;
            }

            string normalizedHome = Normalize(home);
            if (string.Equals(normalizedHome, fullPath, StringComparison.Ordinal)
                || normalizedHome.StartsWith(fullPath + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw NotRemovable(operation, fullPath, "it is the user's home folder or contains it");
            }
        }
    }

    /// <summary>
    /// Destroys the layer at <paramref name="fullPath"/> (normalized, checked by <see cref="RefuseProtectedPath(string, string)"/>, its
    /// lock held). Nothing there is not an error.
    /// </summary>
    /// <param name="fullPath">The layer folder.</param>
    /// <param name="operation">The operation, for messages.</param>
    /// <param name="beforeRemoval">Checks the layer's metadata may veto with an exception (an active scratch, a layer a prepared scratch stacks on).</param>
    /// <returns>The metadata of the layer that was destroyed; <see langword="null"/> if nothing was there.</returns>
    public static LayerMetadata? Destroy(string fullPath, string operation, Action<LayerMetadata, LayerRoot> beforeRemoval)
    {
        string parentPath = Path.GetDirectoryName(fullPath)!;
        string name = Path.GetFileName(fullPath);
        if (OperatingSystem.IsWindows())
        {
            return DestroyWindows(fullPath, parentPath, name, operation, beforeRemoval);
        }

        using SafeFileHandle parent = OpenDirectory(parentPath, operation, fullPath);
        if (parent.IsInvalid)
        {
            return null;
        }

        UnixLayerRoot? layer;
        try
        {
            layer = UnixLayerRoot.OpenEntryNoFollow(parent, parentPath, name);
        }
        catch (LayerPathException e) when (e.ErrorCode == Win32Error.ReparsePointEncountered)
        {
            throw new HcsException(operation, Win32Error.ReparsePointEncountered, fullPath,
                "(not a layer: it is a symbolic link, and links are never followed when deleting; remove the link itself with rm if that is what you mean; nothing was deleted)");
        }
        catch (LayerPathException e) when (e.ErrorCode == Win32Error.Directory)
        {
            throw NotRemovable(operation, fullPath, "it is a file, not a layer folder");
        }

        if (layer is null)
        {
            return null;
        }

        using (layer)
        {
            (ulong device, ulong inode, bool isMountRoot) = layer.Identity();
            if (isMountRoot)
            {
                throw NotRemovable(operation, fullPath, "it is the root of a mounted file system");
            }

            LayerMetadata metadata = ReadMarker(layer, fullPath, operation);
            beforeRemoval(metadata, layer);
            RefuseMountsInside(layer, fullPath, operation);

            string trash = HiddenSibling.Name(name, HiddenSibling.TrashMarker);
            int parentFd = (int)parent.DangerousGetHandle();
            if (Interop.Libc.renameat(parentFd, name, parentFd, trash) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new HcsException(operation, errno == Interop.Libc.ENOENT ? Win32Error.PathNotFound : Win32Error.AccessDenied, fullPath,
                    string.Create(CultureInfo.InvariantCulture, $"(the layer could not be moved away for deletion: errno {errno}; nothing was deleted)"));
            }

            if (!IsSameDirectory(parentFd, trash, device, inode))
            {
                // Someone replaced the folder between the check and the rename: put their object back and stop.
                _ = Interop.Libc.renameat(parentFd, trash, parentFd, name);
                throw new HcsException(operation, Win32Error.SharingViolation, fullPath, "(the folder was replaced while being removed; nothing was deleted)");
            }

            EmptyRoot(layer);
            RemoveEmptyDirectory(parentFd, trash, Path.Combine(parentPath, trash), operation);
            return metadata;
        }
    }

    /// <summary>
    /// Removes a folder the store made (a writer's temporary folder, a trash folder) without following links: a link
    /// found at <paramref name="fullPath"/> is unlinked, never entered. Nothing there is not an error.
    /// </summary>
    public static void RemoveOwnFolder(string fullPath)
    {
        string normalized = Normalize(fullPath);
        string parentPath = Path.GetDirectoryName(normalized)!;
        string name = Path.GetFileName(normalized);
        if (OperatingSystem.IsWindows())
        {
            RemoveOwnFolderWindows(normalized);
            return;
        }

        using SafeFileHandle parent = OpenDirectory(parentPath, "remove", normalized);
        if (parent.IsInvalid)
        {
            return;
        }

        UnixLayerRoot? folder;
        try
        {
            folder = UnixLayerRoot.OpenEntryNoFollow(parent, parentPath, name);
        }
        catch (LayerPathException e) when (e.ErrorCode is Win32Error.ReparsePointEncountered or Win32Error.Directory)
        {
            _ = Interop.Libc.unlinkat((int)parent.DangerousGetHandle(), name, 0);
            return;
        }

        if (folder is null)
        {
            return;
        }

        using (folder)
        {
            EmptyRoot(folder);
        }

        RemoveEmptyDirectory((int)parent.DangerousGetHandle(), name, normalized, "remove");
    }

    /// <summary>
    /// Removes what dead writers and killed removals left in <paramref name="directory"/>: every temporary or trash
    /// folder of <paramref name="ownName"/> (whose lock the caller holds), and trash of other names whose lock can
    /// be taken at once (a removal in progress holds it).
    /// </summary>
    public static void SweepLeftovers(string directory, string ownName, Func<string, IDisposable?> tryLock)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(directory, ".*").ToList())
        {
            string entryName = Path.GetFileName(entry);
            if (HiddenSibling.OwnerOf(entryName, HiddenSibling.TrashMarker) is { } trashOwner)
            {
                if (trashOwner == ownName)
                {
                    RemoveOwnFolder(entry);
                    continue;
                }

                using IDisposable? otherLock = tryLock(Path.Combine(directory, trashOwner));
                if (otherLock is not null)
                {
                    RemoveOwnFolder(entry);
                }
            }
            else if (HiddenSibling.OwnerOf(entryName, HiddenSibling.TemporaryMarker) == ownName)
            {
                RemoveOwnFolder(entry);
            }
        }
    }

    private static LayerMetadata ReadMarker(UnixLayerRoot layer, string fullPath, string operation)
    {
        byte[]? bytes;
        try
        {
            bytes = layer.ReadSmallFile(LayerMetadata.FileName, MaxMetadataLength);
        }
        catch (LayerPathException)
        {
            throw NotRemovable(operation, fullPath, $"its {LayerMetadata.FileName} is not a regular file, so it is not a layer");
        }

        if (bytes is null || !LayerMetadata.IsMarker(bytes))
        {
            throw NotRemovable(operation, fullPath, $"it has no {LayerMetadata.FileName} of the portable store, so it is not a layer");
        }

        try
        {
            return LayerMetadata.Parse(bytes, Path.Combine(fullPath, LayerMetadata.FileName))!;
        }
        catch (InvalidDataException)
        {
            // A layer of another format version, or with damaged state: it is still ours to delete.
            return new LayerMetadata { Kind = LayerKind.ReadOnly };
        }
    }

    private static void RefuseMountsInside(UnixLayerRoot layer, string fullPath, string operation)
    {
        if (MountInfo.FirstMountInside(layer) is { } mountPoint)
        {
            throw new HcsException(operation, Win32Error.Busy, fullPath,
                $"(a file system is mounted inside the layer at {mountPoint}; unmount it first; nothing was deleted)");
        }
    }

    private static unsafe bool IsSameDirectory(int parentFd, string name, ulong device, ulong inode)
    {
        Interop.Libc.StatxBuffer buffer;
        return Interop.Libc.statx(parentFd, name, Interop.Libc.AT_SYMLINK_NOFOLLOW, Interop.Libc.STATX_BASIC_STATS, &buffer) == 0
            && (((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor) == device && buffer.Inode == inode;
    }

    private static void EmptyRoot(LayerRoot root)
    {
        foreach ((string entry, _) in root.List(string.Empty))
        {
            root.RemoveAll(entry);
        }
    }

    private static void RemoveEmptyDirectory(int parentFd, string name, string pathForMessages, string operation)
    {
        if (Interop.Libc.unlinkat(parentFd, name, Interop.Libc.AT_REMOVEDIR) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != Interop.Libc.ENOENT)
        {
            throw new LayerPathException(operation, pathForMessages, errno == Interop.Libc.ENOTEMPTY ? Win32Error.DirNotEmpty : Win32Error.AccessDenied,
                string.Create(CultureInfo.InvariantCulture, $"the emptied folder could not be removed (errno {errno})"));
        }
    }

    /// <summary>Opens the directory that holds a layer (the caller's path: links on it are followed); an invalid handle if it does not exist.</summary>
    private static SafeFileHandle OpenDirectory(string directory, string operation, string pathForMessages)
    {
        int fd = Interop.Libc.openat(Interop.Libc.AT_FDCWD, directory, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is Interop.Libc.ENOENT or Interop.Libc.ENOTDIR
            ? new SafeFileHandle(-1, ownsHandle: false)
            : throw new HcsException(operation, Win32Error.AccessDenied, pathForMessages,
                string.Create(CultureInfo.InvariantCulture, $"(its folder {directory} cannot be opened: errno {errno})"));
    }

    private static HcsException NotRemovable(string operation, string fullPath, string reason) =>
        new(operation, Win32Error.InvalidParameter, fullPath, $"(not a layer of the portable store: {reason}; nothing was deleted)");

    private static LayerMetadata? DestroyWindows(string fullPath, string parentPath, string name, string operation, Action<LayerMetadata, LayerRoot> beforeRemoval)
    {
        var info = new DirectoryInfo(fullPath);
        if (!info.Exists)
        {
            if (File.Exists(fullPath))
            {
                throw NotRemovable(operation, fullPath, "it is a file, not a layer folder");
            }

            return null;
        }

        if (info.Attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            throw new HcsException(operation, Win32Error.ReparsePointEncountered, fullPath,
                "(not a layer: it is a link or junction, and links are never followed when deleting; nothing was deleted)");
        }

        LayerMetadata metadata;
        using (LayerRoot layer = LayerRoot.Open(fullPath))
        {
            metadata = LayerMetadata.TryRead(fullPath) ?? throw NotRemovable(operation, fullPath, $"it has no {LayerMetadata.FileName} of the portable store, so it is not a layer");
            beforeRemoval(metadata, layer);
        }

        string trash = Path.Combine(parentPath, HiddenSibling.Name(name, HiddenSibling.TrashMarker));
        Directory.Move(fullPath, trash);
        RemoveOwnFolderWindows(trash);
        return metadata;
    }

    private static void RemoveOwnFolderWindows(string fullPath)
    {
        var info = new DirectoryInfo(fullPath);
        if (!info.Exists)
        {
            return;
        }

        if (info.Attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            info.Delete(); // removes the link itself
            return;
        }

        using (LayerRoot root = LayerRoot.Open(fullPath))
        {
            EmptyRoot(root);
        }

        info.Delete();
    }
}
