using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;
using static Interop.Libc;

namespace WcLayer.Transport;

/// <summary>
/// The Unix implementation: each path component is opened with <c>openat(O_NOFOLLOW | O_DIRECTORY)</c> relative to
/// the previous one, starting at the root's descriptor, so a symbolic link anywhere on the path (or swapped in
/// concurrently) makes the operation fail with <see cref="Win32Error.ReparsePointEncountered"/>, and <c>..</c> is
/// rejected before any call.
/// </summary>
internal sealed class UnixLayerRoot : LayerRoot
{
    private const int DefaultFileMode = 0x1A4; // 0644
    private const int DefaultDirectoryMode = 0x1ED; // 0755

    private readonly SafeFileHandle _root = null!;
    private readonly object _gate = new();

    // The last directory walked to: writers add many entries to one directory in a row.
    private string? _cachedKey;
    private SafeFileHandle? _cachedHandle;

    /// <summary>Extended attribute holding the 40-byte <c>FILE_BASIC_INFO</c> of an entry.</summary>
    internal const string BasicInfoAttribute = "user.wclayer.basicinfo";

    /// <summary>Extended attribute holding, for a file stored plain, its backup stream with the data stream's bytes left out.</summary>
    internal const string StreamsAttribute = "user.wclayer.streams";

    /// <summary>Extended attribute naming (<c>sha256:…</c>) the blob that holds an entry's streams when they were too large for <see cref="StreamsAttribute"/>.</summary>
    internal const string StreamsBlobAttribute = "user.wclayer.streams-blob";

    private UnixLayerRoot(string fullPath, SafeFileHandle root)
        : base(fullPath)
    {
        _root = root;
    }

    /// <summary>Creates a file that must not exist yet (<c>FILE_CREATE</c>); its parent must exist.</summary>
    public override FileStream CreateFile(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "open");
            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "open");
            int fd = openat(parent, parts[^1], O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, DefaultFileMode);
            if (fd < 0)
            {
                throw Error("open", relativePath, Marshal.GetLastPInvokeError(), finalComponent: true);
            }

            return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        }
    }

    /// <summary>Opens an existing file (not a directory, never a link) for reading or read/write.</summary>
    public override FileStream OpenFile(string relativePath, FileAccess access = FileAccess.Read)
    {
        SafeFileHandle handle = OpenHandle(relativePath, directory: false, write: access != FileAccess.Read);
        return new FileStream(handle, access, bufferSize: 0);
    }

    /// <summary>Opens an existing file or directory (never a link) as a handle, for metadata.</summary>
    public override SafeFileHandle OpenHandle(string relativePath, bool directory, bool write = false)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            if (parts.Length == 0)
            {
                // A new open file description, not dup(): a dup shares the directory offset, so a second listing of
                // the root would start where the first ended and see nothing.
                int self = openat((int)_root.DangerousGetHandle(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
                return self < 0 ? throw Error("open", relativePath, Marshal.GetLastPInvokeError(), true) : new SafeFileHandle(self, ownsHandle: true);
            }

            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "open");
            // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; what is not a regular
            // file or a directory is refused below (on those two the flag changes nothing).
            int flags = (write && !directory ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (directory ? O_DIRECTORY : 0);
            int fd = openat(parent, parts[^1], flags, 0);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw Error("open", relativePath, errno == ENOTDIR && IsSymbolicLink(parent, parts[^1]) ? ELOOP : errno, finalComponent: true);
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (!directory && Stat(handle, relativePath).Kind is not (LayerFileKind.File or LayerFileKind.Directory))
            {
                handle.Dispose();
                throw new LayerPathException("open", Describe(relativePath), Win32Error.CantAccessFile,
                    "it is not a regular file or a directory (a FIFO, socket or device cannot be part of a layer)");
            }

            return handle;
        }
    }

    /// <summary>Creates a directory that must not exist yet; its parent must exist.</summary>
    public override void CreateDirectory(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "mkdir");
            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "mkdir");
            if (mkdirat(parent, parts[^1], DefaultDirectoryMode) != 0)
            {
                throw Error("mkdir", relativePath, Marshal.GetLastPInvokeError(), finalComponent: true);
            }
        }
    }

    /// <summary>The status of a path, or <see langword="null"/> if it (or a parent) does not exist. Links are not followed.</summary>
    public override unsafe LayerFileStatus? Stat(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            StatxBuffer buffer;
            int result;
            if (parts.Length == 0)
            {
                result = statx((int)_root.DangerousGetHandle(), string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &buffer);
            }
            else
            {
                int parent;
                try
                {
                    parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "stat");
                }
                catch (LayerPathException e) when (e.IsNotFound)
                {
                    return null;
                }

                result = statx(parent, parts[^1], AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &buffer);
            }

            if (result != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno is ENOENT or ENOTDIR ? null : throw Error("stat", relativePath, errno, finalComponent: true);
            }

            return ToStatus(buffer);
        }
    }

    /// <summary>The status of an open handle.</summary>
    public override unsafe LayerFileStatus Stat(SafeFileHandle handle, string pathForMessages)
    {
        StatxBuffer buffer;
        if (statx((int)handle.DangerousGetHandle(), string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, &buffer) != 0)
        {
            throw new LayerPathException("stat", pathForMessages, ToWin32(Marshal.GetLastPInvokeError(), true));
        }

        return ToStatus(buffer);
    }

    /// <summary>Removes a file, a link or an empty directory (the entry itself, never a link's target).</summary>
    /// <returns><see langword="false"/> if it did not exist.</returns>
    public override bool Remove(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "remove");
            int parent;
            try
            {
                parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "remove");
            }
            catch (LayerPathException e) when (e.IsNotFound)
            {
                return false;
            }

            if (unlinkat(parent, parts[^1], 0) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EISDIR && unlinkat(parent, parts[^1], AT_REMOVEDIR) == 0)
            {
                // The cached directory may have been this one or below it.
                InvalidateCache();
                return true;
            }

            errno = errno == EISDIR ? Marshal.GetLastPInvokeError() : errno;
            return errno == ENOENT ? false : throw Error("remove", relativePath, errno, finalComponent: true);
        }
    }

    /// <summary>Creates a hard link <paramref name="newRelativePath"/> in <paramref name="newRoot"/> to an existing file of this root.</summary>
    public override void Link(string existingRelativePath, LayerRoot newRoot, string newRelativePath)
    {
        var unixRoot = newRoot as UnixLayerRoot ?? throw new ArgumentException("Both roots must be of the same platform.", nameof(newRoot));
        string[] oldParts = Split(existingRelativePath);
        string[] newParts = Split(newRelativePath);
        RequireNonRoot(oldParts, existingRelativePath, "link");
        newRoot.RequireNonRoot(newParts, newRelativePath, "link");
        lock (_gate)
        {
            ThrowIfDisposed();
            int oldParent = WalkTo(oldParts.AsSpan(0, oldParts.Length - 1), existingRelativePath, "link");
            int oldParentCopy = Interop.Libc.dup(oldParent);
            try
            {
                lock (unixRoot._gate)
                {
                    unixRoot.ThrowIfDisposed();
                    int newParent = unixRoot.WalkTo(newParts.AsSpan(0, newParts.Length - 1), newRelativePath, "link");
                    if (linkat(oldParentCopy, oldParts[^1], newParent, newParts[^1], 0) != 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        throw new LayerPathException("link", $"{Describe(existingRelativePath)} {newRoot.Describe(newRelativePath)}", ToWin32(errno, true));
                    }
                }
            }
            finally
            {
                _ = close(oldParentCopy);
            }
        }
    }

    /// <summary>The names in a directory (unsorted) with whether each is a directory (a link to a directory is not).</summary>
    public override List<(string Name, bool IsDirectory)> List(string relativePath)
    {
        using SafeFileHandle directory = OpenHandle(relativePath, directory: true);
        return ListDescriptor((int)directory.DangerousGetHandle(), relativePath);
    }

    /// <summary>Removes a tree through directory descriptors with the listed names as they are, so any POSIX name goes.</summary>
    public override void RemoveAll(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "remove");
            int parent;
            try
            {
                parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "remove");
            }
            catch (LayerPathException e) when (e.IsNotFound)
            {
                return;
            }

            int copy = Interop.Libc.dup(parent);
            InvalidateCache();
            try
            {
                RemoveAt(copy, parts[^1], relativePath);
            }
            finally
            {
                _ = close(copy);
            }
        }
    }

    private void RemoveAt(int directory, string name, string pathForMessages)
    {
        if (unlinkat(directory, name, 0) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT)
        {
            return;
        }

        if (errno != EISDIR)
        {
            throw Error("remove", pathForMessages, errno, finalComponent: true);
        }

        int child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (child < 0)
        {
            throw Error("remove", pathForMessages, Marshal.GetLastPInvokeError(), finalComponent: true);
        }

        try
        {
            // A file system mounted inside the tree (a bind mount of a home, say) is never emptied by a removal.
            if (IsMountRoot(child))
            {
                throw new LayerPathException("remove", Describe(pathForMessages), Win32Error.Busy,
                    "a file system is mounted there; unmount it first (nothing below it was removed)");
            }

            foreach ((string entry, _) in ListDescriptor(child, pathForMessages))
            {
                RemoveAt(child, entry, pathForMessages + "/" + entry);
            }
        }
        finally
        {
            _ = close(child);
        }

        if (unlinkat(directory, name, AT_REMOVEDIR) != 0 && Marshal.GetLastPInvokeError() is int e && e != ENOENT)
        {
            throw Error("remove", pathForMessages, e, finalComponent: true);
        }
    }

    private unsafe List<(string Name, bool IsDirectory)> ListDescriptor(int fd, string pathForMessages)
    {
        var names = new List<(string, bool)>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    nint n = getdents64(fd, p, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        throw Error("readdir", pathForMessages, Marshal.GetLastPInvokeError(), finalComponent: true);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    for (int offset = 0; offset < n;)
                    {
                        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 16));
                        byte type = buffer[offset + 18];
                        ReadOnlySpan<byte> nameBytes = buffer.AsSpan(offset + 19, length - 19);
                        nameBytes = nameBytes[..nameBytes.IndexOf((byte)0)];
                        offset += length;
                        if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8))
                        {
                            continue;
                        }

                        string name = Encoding.UTF8.GetString(nameBytes);
                        names.Add((name, type == DT_DIR || (type == 0 && IsDirectoryEntry(fd, name))));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return names;
    }

    private static unsafe bool IsDirectoryEntry(int directory, string name)
    {
        StatxBuffer buffer;
        return statx(directory, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buffer) == 0 && (buffer.Mode & S_IFMT) == S_IFDIR;
    }

    /// <summary>Reads the entry's Windows basic info, or <see langword="null"/> if none was stored.</summary>
    public override FileBasicInfo? GetBasicInfo(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[FileBasicInfo.BinarySize];
        int n = GetAttribute(handle, BasicInfoAttribute, buffer, out _);
        return n == FileBasicInfo.BinarySize ? FileBasicInfo.ReadFrom(buffer) : null;
    }

    /// <summary>The stored basic info, else one derived from the POSIX times (for folders not written by WcLayer).</summary>
    public override unsafe FileBasicInfo GetBasicInfoOrDefault(SafeFileHandle handle)
    {
        if (GetBasicInfo(handle) is { } info)
        {
            return info;
        }

        StatxBuffer buffer;
        if (statx((int)handle.DangerousGetHandle(), string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &buffer) != 0)
        {
            return default;
        }

        long write = ToFileTime(buffer.ModificationTime);
        long creation = (buffer.Mask & STATX_BTIME) != 0 ? ToFileTime(buffer.BirthTime) : write;
        FileAttributes attributes = (buffer.Mode & S_IFMT) == S_IFDIR ? FileAttributes.Directory : FileAttributes.Archive;
        return new FileBasicInfo(creation, ToFileTime(buffer.AccessTime), write, ToFileTime(buffer.ChangeTime), attributes);
    }

    /// <summary>Stores the entry's Windows basic info, and mirrors the access and write times to the POSIX times.</summary>
    /// <exception cref="LayerPathException">The file system cannot hold extended attributes.</exception>
    public override void SetBasicInfo(SafeFileHandle handle, FileBasicInfo info, string pathForMessages)
    {
        SetBasicInfoAttribute(handle, info, pathForMessages);

        // The POSIX times are for people browsing the folder; the attribute above is what WcLayer reads back.
        SetFileTimes(handle, info);
    }

    /// <summary>Stores the entry's Windows basic info without touching the POSIX times (for a file whose data is still to be written, which would move them).</summary>
    /// <exception cref="LayerPathException">The file system cannot hold extended attributes.</exception>
    internal void SetBasicInfoAttribute(SafeFileHandle handle, FileBasicInfo info, string pathForMessages)
    {
        Span<byte> buffer = stackalloc byte[FileBasicInfo.BinarySize];
        info.WriteTo(buffer);
        SetAttribute(handle, BasicInfoAttribute, buffer, pathForMessages);
    }

    /// <inheritdoc/>
    public override unsafe void SetFileTimes(SafeFileHandle handle, FileBasicInfo info)
    {
        TimeSpec* times = stackalloc TimeSpec[2];
        times[0] = ToTimeSpec(info.LastAccessTime);
        times[1] = ToTimeSpec(info.LastWriteTime);
        _ = futimens((int)handle.DangerousGetHandle(), times);
    }

    /// <inheritdoc/>
    public override void CreateSymbolicLink(string relativePath, string target)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "symlink");
            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "symlink");
            if (symlinkat(target, parent, parts[^1]) != 0)
            {
                throw Error("symlink", relativePath, Marshal.GetLastPInvokeError(), finalComponent: true);
            }
        }
    }

    /// <inheritdoc/>
    public override unsafe string ReadSymbolicLink(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "readlink");
            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "readlink");
            byte[] buffer = new byte[4096];
            fixed (byte* p = buffer)
            {
                nint n = readlinkat(parent, parts[^1], p, (nuint)buffer.Length);
                return n < 0
                    ? throw Error("readlink", relativePath, Marshal.GetLastPInvokeError(), finalComponent: true)
                    : Encoding.UTF8.GetString(buffer, 0, (int)n);
            }
        }
    }

    /// <inheritdoc/>
    public override Stream OpenPlainBackupReader(FileStream? content, SafeFileHandle handle, bool includeSecurity, string pathForMessages) =>
        new PlainFileBackupReader(GetStreams(handle, pathForMessages), content, includeSecurity, pathForMessages);

    /// <inheritdoc/>
    public override long GetPlainSize(FileStream content, SafeFileHandle handle, string pathForMessages) =>
        GetStreams(handle, pathForMessages) is { } streams ? PlainFileBackupReader.LogicalSize(streams, content.Length, pathForMessages) : content.Length;

    /// <inheritdoc/>
    /// <remarks>The security descriptor is kept whatever <paramref name="processSecurity"/> says: the portable store is lossless.</remarks>
    public override PlainBackupWriter CreatePlainBackupWriter(FileStream? file, SafeFileHandle handle, bool processSecurity, string pathForMessages) =>
        new PlainFileBackupWriter(this, file, handle, pathForMessages);

    /// <inheritdoc/>
    public override void CopyMetadata(SafeFileHandle source, LayerRoot destinationRoot, SafeFileHandle destination, string destinationPath)
    {
        if (GetBasicInfo(source) is { } info)
        {
            destinationRoot.SetBasicInfo(destination, info, destinationPath);
        }

        if (GetStreams(source, destinationPath) is { } streams)
        {
            ((UnixLayerRoot)destinationRoot).SetStreams(destination, streams, destinationPath);
        }
    }

    /// <summary>Reads the stored non-data backup streams of a file kept plain, or <see langword="null"/> if none.</summary>
    /// <remarks>Streams that did not fit the file system's attribute space are read from the <see cref="Blobs"/> store the attribute names.</remarks>
    internal byte[]? GetStreams(SafeFileHandle handle, string pathForMessages) =>
        ReadAttribute(handle, StreamsAttribute, pathForMessages) is { } inline ? inline
        : ReadAttribute(handle, StreamsBlobAttribute, pathForMessages) is { } reference ? ReadBlob(reference, pathForMessages)
        : null;

    /// <summary>Stores the non-data backup streams of a file kept plain; too large for the file system's attribute space, they spill into <see cref="Blobs"/>.</summary>
    /// <exception cref="LayerPathException">The file system cannot hold them and the root has no blob store.</exception>
    internal void SetStreams(SafeFileHandle handle, ReadOnlySpan<byte> streams, string pathForMessages)
    {
        try
        {
            SetAttribute(handle, StreamsAttribute, streams, pathForMessages);
        }
        catch (LayerPathException e) when (e.ErrorCode == Win32Error.EaTableFull && Blobs is { } blobs)
        {
            SetAttribute(handle, StreamsBlobAttribute, System.Text.Encoding.ASCII.GetBytes(blobs.Write(streams)), pathForMessages);
        }
    }

    /// <summary>Resolves a spilled metadata reference (<c>sha256:…</c>) through the blob store.</summary>
    internal byte[] ReadBlob(byte[] reference, string pathForMessages)
    {
        string digest = System.Text.Encoding.ASCII.GetString(reference);
        return Blobs?.Read(digest) ?? throw new InvalidDataException($"{pathForMessages}: its Windows metadata was spilled to blob {digest}, which no layer of the chain holds.");
    }

    /// <summary>Where metadata too large for an extended attribute is kept (a layer's <c>blobs/</c> folder), or <see langword="null"/>.</summary>
    internal MetadataBlobStore? Blobs { get; set; }

    /// <summary>Reads an extended attribute of an open file or directory; <see langword="null"/> if it is absent.</summary>
    internal static byte[]? ReadAttribute(SafeFileHandle handle, string name, string pathForMessages)
    {
        int size = GetAttribute(handle, name, [], out bool missing);
        if (missing)
        {
            return null;
        }

        var buffer = new byte[size];
        int n = GetAttribute(handle, name, buffer, out missing);
        return missing ? null : n == size ? buffer : throw new LayerPathException("getxattr", pathForMessages, Win32Error.GenFailure, "the stored Windows metadata changed while it was read");
    }

    /// <summary>Writes an extended attribute of an open file or directory.</summary>
    internal static void WriteAttribute(SafeFileHandle handle, string name, ReadOnlySpan<byte> value, string pathForMessages) =>
        SetAttribute(handle, name, value, pathForMessages);

    /// <summary>Reads an extended attribute of a symbolic link itself (through its parent's descriptor); <see langword="null"/> if absent.</summary>
    internal unsafe byte[]? ReadLinkAttribute(string relativePath, string name)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string path = ProcPath(relativePath, "getxattr");
            nint size = lgetxattr(path, name, null, 0);
            if (size < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno is ENODATA or EOPNOTSUPP ? null : throw Error("getxattr", relativePath, errno, finalComponent: true);
            }

            var buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                nint n = lgetxattr(path, name, p, (nuint)buffer.Length);
                return n == size ? buffer : throw Error("getxattr", relativePath, n < 0 ? Marshal.GetLastPInvokeError() : ERANGE, finalComponent: true);
            }
        }
    }

    /// <summary>Writes an extended attribute of a symbolic link itself (Linux allows only <c>trusted.*</c> there, as root).</summary>
    internal unsafe void WriteLinkAttribute(string relativePath, string name, ReadOnlySpan<byte> value)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string path = ProcPath(relativePath, "setxattr");
            fixed (byte* p = value)
            {
                if (lsetxattr(path, name, p, (nuint)value.Length, 0) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw errno is E2BIG or ENOSPC or ERANGE
                        ? new LayerPathException("setxattr", Describe(relativePath), Win32Error.EaTableFull, $"the file system cannot hold {value.Length} bytes of Windows metadata on a symbolic link")
                        : Error("setxattr", relativePath, errno, finalComponent: true);
                }
            }
        }
    }

    /// <summary>Creates an overlay whiteout (a character device 0/0; needs <c>CAP_MKNOD</c>).</summary>
    internal void CreateWhiteout(string relativePath)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string[] parts = Split(relativePath);
            RequireNonRoot(parts, relativePath, "mknod");
            int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, "mknod");
            if (mknodat(parent, parts[^1], S_IFCHR, 0) != 0)
            {
                throw Error("mknod", relativePath, Marshal.GetLastPInvokeError(), finalComponent: true);
            }
        }
    }

    /// <summary>Makes <paramref name="destination"/> share <paramref name="source"/>'s data (<c>FICLONE</c>); <see langword="false"/> where the file system cannot.</summary>
    internal static bool TryClone(SafeFileHandle source, SafeFileHandle destination) =>
        ioctl((int)destination.DangerousGetHandle(), FICLONE, source.DangerousGetHandle()) == 0;

    /// <summary>A path that names the entry through its parent's open descriptor, for calls that have no <c>*at</c> form.</summary>
    private string ProcPath(string relativePath, string operation)
    {
        string[] parts = Split(relativePath);
        RequireNonRoot(parts, relativePath, operation);
        int parent = WalkTo(parts.AsSpan(0, parts.Length - 1), relativePath, operation);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/self/fd/{parent}/{parts[^1]}");
    }

    private static unsafe int GetAttribute(SafeFileHandle handle, string name, Span<byte> buffer, out bool missing)
    {
        missing = false;
        fixed (byte* p = buffer)
        {
            nint n = fgetxattr((int)handle.DangerousGetHandle(), name, buffer.IsEmpty ? null : p, (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENODATA or EOPNOTSUPP)
            {
                missing = true;
                return 0;
            }

            throw new LayerPathException("getxattr", name, ToWin32(errno, true));
        }
    }

    private static unsafe void SetAttribute(SafeFileHandle handle, string name, ReadOnlySpan<byte> value, string pathForMessages)
    {
        fixed (byte* p = value)
        {
            if (fsetxattr((int)handle.DangerousGetHandle(), name, p, (nuint)value.Length, 0) == 0)
            {
                return;
            }
        }

        int errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            EOPNOTSUPP => new LayerPathException("setxattr", pathForMessages, Win32Error.EasNotSupported,
                $"the file system does not support user extended attributes, which WcLayer needs to keep Windows times, attributes and security (attribute {name})"),
            E2BIG or ENOSPC or ERANGE => new LayerPathException("setxattr", pathForMessages, Win32Error.EaTableFull,
                $"the file system cannot hold {value.Length} bytes of Windows metadata in extended attribute {name} (ext4 keeps about 4 KiB per file; use XFS, Btrfs or tmpfs for layers with large security descriptors or alternate data streams outside Files)"),
            _ => new LayerPathException("setxattr", pathForMessages, ToWin32(errno, true)),
        };
    }

    internal static new UnixLayerRoot Open(string fullPath)
    {
        // The root path comes from the caller, not from layer content, so links on it are followed.
        int fd = openat(AT_FDCWD, fullPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new LayerPathException("open", fullPath, errno == ENOENT ? Win32Error.PathNotFound : ToWin32(errno, true));
        }

        var root = new UnixLayerRoot(fullPath, new SafeFileHandle(fd, ownsHandle: true));
        if (root.Stat(MetadataBlobStore.FolderName) is { IsDirectory: true })
        {
            // A portable-store layer (or one being written): spilled metadata lives in its blobs/ folder.
            root.Blobs = new MetadataBlobStore([System.IO.Path.Combine(fullPath, MetadataBlobStore.FolderName)]);
        }

        return root;
    }

    /// <summary>
    /// Opens <paramref name="name"/> in the directory <paramref name="parentFullPath"/> as a root without following a
    /// link at <paramref name="name"/> itself; <see langword="null"/> if nothing is there.
    /// </summary>
    /// <exception cref="LayerPathException"><c>ERROR_REPARSE_POINT_ENCOUNTERED</c> for a link, <c>ERROR_DIRECTORY</c> for anything else that is not a directory.</exception>
    internal static UnixLayerRoot? OpenEntryNoFollow(SafeFileHandle parent, string parentFullPath, string name)
    {
        string fullPath = parentFullPath.EndsWith('/') ? parentFullPath + name : parentFullPath + "/" + name;
        int fd = openat((int)parent.DangerousGetHandle(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd >= 0)
        {
            return new UnixLayerRoot(fullPath, new SafeFileHandle(fd, ownsHandle: true));
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT)
        {
            return null;
        }

        if (errno is ELOOP or ENOTDIR)
        {
            bool link = IsSymbolicLink((int)parent.DangerousGetHandle(), name);
            throw new LayerPathException("open", fullPath, link ? Win32Error.ReparsePointEncountered : Win32Error.Directory,
                link ? "it is a symbolic link" : "it is not a directory");
        }

        throw new LayerPathException("open", fullPath, ToWin32(errno, true));
    }

    /// <summary>The descriptor number of the root directory, for <c>/proc/self/fd</c>.</summary>
    internal int DescriptorNumber => (int)_root.DangerousGetHandle();

    /// <summary>The kernel's identity of the root directory: device and inode.</summary>
    internal unsafe (ulong Device, ulong Inode, bool IsMountRoot) Identity()
    {
        StatxBuffer buffer;
        if (statx((int)_root.DangerousGetHandle(), string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, &buffer) != 0)
        {
            throw new LayerPathException("stat", FullPath, ToWin32(Marshal.GetLastPInvokeError(), true));
        }

        return (((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor, buffer.Inode, buffer.IsMountRoot);
    }

    /// <summary>Reads a small regular file, never through a link; <see langword="null"/> if it is absent.</summary>
    internal byte[]? ReadSmallFile(string relativePath, int maxLength)
    {
        FileStream stream;
        try
        {
            stream = OpenFile(relativePath);
        }
        catch (LayerPathException e) when (e.IsNotFound)
        {
            return null;
        }

        using (stream)
        {
            if (Stat(stream.SafeFileHandle, relativePath).Kind != LayerFileKind.File || stream.Length > maxLength)
            {
                throw new LayerPathException("read", Describe(relativePath), Win32Error.InvalidParameter,
                    string.Create(CultureInfo.InvariantCulture, $"it is not a regular file of at most {maxLength} bytes"));
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
    }

    private static unsafe bool IsMountRoot(int fd)
    {
        StatxBuffer buffer;
        return statx(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, &buffer) == 0 && buffer.IsMountRoot;
    }

    /// <summary>Walks to a directory below the root without following links; returns a descriptor this root owns.</summary>
    private int WalkTo(ReadOnlySpan<string> components, string relativePath, string operation)
    {
        if (components.IsEmpty)
        {
            return (int)_root.DangerousGetHandle();
        }

        string key = string.Join('/', components.ToArray());
        if (key == _cachedKey && _cachedHandle is not null)
        {
            return (int)_cachedHandle.DangerousGetHandle();
        }

        int current = (int)_root.DangerousGetHandle();
        for (int i = 0; i < components.Length; i++)
        {
            int next = openat(current, components[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            int errno = next < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (errno == ENOTDIR && IsSymbolicLink(current, components[i]))
            {
                // O_DIRECTORY reports a link as "not a directory"; Windows reports the reparse point.
                errno = ELOOP;
            }

            if (i > 0)
            {
                _ = close(current);
            }

            if (next < 0)
            {
                throw Error(operation, relativePath, errno, finalComponent: false);
            }

            current = next;
        }

        InvalidateCache();
        _cachedKey = key;
        _cachedHandle = new SafeFileHandle(current, ownsHandle: true);
        return current;
    }

    private static unsafe bool IsSymbolicLink(int directory, string name)
    {
        StatxBuffer buffer;
        return statx(directory, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buffer) == 0 && (buffer.Mode & S_IFMT) == S_IFLNK;
    }

    private void InvalidateCache()
    {
        _cachedHandle?.Dispose();
        _cachedHandle = null;
        _cachedKey = null;
    }

    protected override void DisposeCore()
    {
        lock (_gate)
        {
            InvalidateCache();
            _root.Dispose();
        }
    }

    private LayerPathException Error(string operation, string relativePath, int errno, bool finalComponent) =>
        new(operation, Describe(relativePath), ToWin32(errno, finalComponent));

    private static int ToWin32(int errno, bool finalComponent) => errno switch
    {
        ENOENT => finalComponent ? Win32Error.FileNotFound : Win32Error.PathNotFound,
        ENOTDIR => Win32Error.PathNotFound,
        ELOOP => Win32Error.ReparsePointEncountered,
        EEXIST => Win32Error.AlreadyExists,
        EACCES or 1 => Win32Error.AccessDenied,
        EISDIR => Win32Error.AccessDenied,
        ENOTEMPTY => Win32Error.DirNotEmpty,
        EXDEV => Win32Error.NotSameDevice,
        ENOSPC => Win32Error.DiskFull,
        ENAMETOOLONG => Win32Error.FilenameExceedsRange,
        EOPNOTSUPP => Win32Error.EasNotSupported,
        EINVAL => Win32Error.InvalidParameter,
        _ => Win32Error.GenFailure,
    };

    private static LayerFileStatus ToStatus(in StatxBuffer buffer)
    {
        LayerFileKind kind = (buffer.Mode & S_IFMT) switch
        {
            S_IFREG => LayerFileKind.File,
            S_IFDIR => LayerFileKind.Directory,
            S_IFLNK => LayerFileKind.SymbolicLink,
            _ => LayerFileKind.Other,
        };
        UInt128 device = ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor;
        long write = ToFileTime(buffer.ModificationTime);
        long creation = (buffer.Mask & STATX_BTIME) != 0 ? ToFileTime(buffer.BirthTime) : write;
        return new LayerFileStatus(kind, (long)buffer.Size, buffer.NumberOfLinks, (device << 64) | buffer.Inode,
            write, ToFileTime(buffer.AccessTime), ToFileTime(buffer.ChangeTime), creation)
        {
            IsWhiteout = (buffer.Mode & S_IFMT) == S_IFCHR && buffer.RDeviceMajor == 0 && buffer.RDeviceMinor == 0,
        };
    }

    private static long ToFileTime(in StatxTimestamp t) =>
        t.Seconds * 10_000_000 + t.Nanoseconds / 100 + FileTime.UnixEpoch;

    private static TimeSpec ToTimeSpec(long fileTime)
    {
        const long UtimeOmit = (1L << 30) - 2;
        if (fileTime <= 0)
        {
            return new TimeSpec { Seconds = 0, Nanoseconds = UtimeOmit };
        }

        long ticks = fileTime - FileTime.UnixEpoch;
        long seconds = Math.DivRem(ticks, 10_000_000, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += 10_000_000;
        }

        return new TimeSpec { Seconds = seconds, Nanoseconds = remainder * 100 };
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;
}
