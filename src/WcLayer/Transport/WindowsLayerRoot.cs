using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;
using static Interop.Kernel32;
using static Interop.NtDll;

namespace WcLayer.Transport;

/// <summary>
/// The Windows implementation, hcsshim's <c>safefile</c>: the root is opened once with backup semantics, and every
/// path below it is opened by one <c>NtCreateFile</c> relative to the root handle with <c>OBJ_DONT_REPARSE</c>, so a
/// reparse point (symbolic link, junction) on any component, even one swapped in concurrently, fails the operation
/// with <see cref="Win32Error.ReparsePointEncountered"/>; NT relative opens never interpret <c>..</c> either. The real
/// NTFS metadata (times, attributes, security, streams) is the truth: nothing is kept beside the files.
/// </summary>
/// <remarks>
/// Where an operation means the entry itself (stat, remove, open for metadata or backup), the leaf is opened with
/// <c>FILE_OPEN_REPARSE_POINT</c>: a reparse point leaf is the entry, read and written with its reparse data through
/// the backup stream, and never followed. Handles are opened with backup intent; the writer's rights
/// (<c>WRITE_DAC</c>, <c>WRITE_OWNER</c>, <c>ACCESS_SYSTEM_SECURITY</c>) are asked for first and dropped when the
/// caller's token cannot have them, so reading works without SeSecurityPrivilege.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WindowsLayerRoot : LayerRoot
{
    private const uint MetadataWriteRights = FileWriteAttributes | WriteDac | WriteOwner | AccessSystemSecurity;
    private const uint ReadRights = GenericRead | AccessSystemSecurity;
    private const int ErrorNoMoreFiles = 18;

    private readonly SafeFileHandle _root;

    private WindowsLayerRoot(string fullPath, SafeFileHandle root)
        : base(fullPath)
    {
        _root = root;
    }

    /// <summary>Opens an existing directory as a root (hcsshim's <c>OpenRoot</c>, with the path cleaned first: B13).</summary>
    /// <exception cref="LayerPathException">It does not exist or is not a directory.</exception>
    internal static new WindowsLayerRoot Open(string path)
    {
        string longPath = ToLongPath(path.StartsWith(@"\\?\", StringComparison.Ordinal) || path.StartsWith(@"\\.\", StringComparison.Ordinal) ? path : Path.GetFullPath(path));

        // The root path comes from the caller, not from layer content, so reparse points on it are followed, except
        // the root itself: OPEN_REPARSE_POINT, as hcsshim.
        SafeFileHandle handle = Interop.Kernel32.CreateFile(longPath, GenericRead, FileShareAll, 0, OpenExisting, FileFlagBackupSemantics | FileFlagOpenReparsePoint, 0);
        if (handle.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            // The code as Windows gives it, as hcsshim's OpenRoot: FILE_NOT_FOUND for a missing folder in an existing
            // one, PATH_NOT_FOUND when a folder above it is missing too.
            throw new LayerPathException("open", longPath, error);
        }

        var root = new WindowsLayerRoot(longPath, handle);
        try
        {
            if (!root.Stat(handle, longPath).IsDirectory)
            {
                throw new LayerPathException("open", longPath, Win32Error.Directory, "not a directory");
            }
        }
        catch
        {
            root.Dispose();
            throw;
        }

        return root;
    }

    /// <summary>
    /// hcsshim's <c>LongAbs</c> for an absolute path: <c>\\?\</c> and <c>\\.\</c> paths unchanged, UNC paths as
    /// <c>\\?\UNC\server\share</c>, others prefixed with <c>\\?\</c>.
    /// </summary>
    internal static string ToLongPath(string fullPath) =>
        fullPath.StartsWith(@"\\?\", StringComparison.Ordinal) || fullPath.StartsWith(@"\\.\", StringComparison.Ordinal) ? fullPath
        : fullPath.StartsWith(@"\\", StringComparison.Ordinal) ? @"\\?\UNC\" + fullPath[2..]
        : @"\\?\" + fullPath;

    /// <inheritdoc/>
    public override FileStream CreateFile(string relativePath)
    {
        string[] parts = Split(relativePath);
        RequireNonRoot(parts, relativePath, "open");
        SafeFileHandle handle = OpenWithFallback(relativePath, parts, GenericRead | GenericWrite, MetadataWriteRights & ~FileWriteAttributes, FileShareRead, FileCreate, FileNonDirectoryFile, "open");
        return new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
    }

    /// <inheritdoc/>
    public override FileStream OpenFile(string relativePath, FileAccess access = FileAccess.Read)
    {
        string[] parts = Split(relativePath);
        RequireNonRoot(parts, relativePath, "open");
        bool write = access != FileAccess.Read;
        SafeFileHandle handle = write
            ? OpenWithFallback(relativePath, parts, GenericRead | GenericWrite, MetadataWriteRights, FileShareRead, FileOpen, FileNonDirectoryFile | FileOpenReparsePoint, "open")
            : OpenWithFallback(relativePath, parts, GenericRead, AccessSystemSecurity, FileShareAll, FileOpen, FileNonDirectoryFile | FileOpenReparsePoint, "open");
        return new FileStream(handle, access, bufferSize: 0);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="write"/>, files and directories alike are opened as hcsshim opens what it restores:
    /// <c>GENERIC_READ | GENERIC_WRITE</c> (a directory needs <c>FILE_WRITE_EA</c> for the EA stream of BackupWrite),
    /// plus <c>WRITE_DAC | WRITE_OWNER | ACCESS_SYSTEM_SECURITY</c> when the caller's token allows. Without it a
    /// directory still gets the metadata write rights when allowed (times are set on such handles).
    /// </remarks>
    public override SafeFileHandle OpenHandle(string relativePath, bool directory, bool write = false)
    {
        string[] parts = Split(relativePath);
        uint options = (directory ? FileDirectoryFile : FileNonDirectoryFile) | FileOpenReparsePoint;
        (uint access, uint optional) = write ? (GenericRead | GenericWrite, MetadataWriteRights & ~FileWriteAttributes)
            : directory ? (GenericRead, MetadataWriteRights)
            : (GenericRead, AccessSystemSecurity);
        return OpenWithFallback(relativePath, parts, access, optional, FileShareAll, FileOpen, options, "open");
    }

    /// <inheritdoc/>
    public override void CreateDirectory(string relativePath)
    {
        string[] parts = Split(relativePath);
        RequireNonRoot(parts, relativePath, "mkdir");
        OpenRelative(relativePath, parts, 0, FileShareAll, FileCreate, FileDirectoryFile, "mkdir").Dispose();
    }

    /// <inheritdoc/>
    public override LayerFileStatus? Stat(string relativePath)
    {
        string[] parts = Split(relativePath);
        SafeFileHandle handle;
        try
        {
            handle = OpenRelative(relativePath, parts, FileReadAttributes, FileShareAll, FileOpen, FileOpenReparsePoint, "stat");
        }
        catch (LayerPathException e) when (e.IsNotFound)
        {
            return null;
        }

        using (handle)
        {
            return Stat(handle, Describe(relativePath));
        }
    }

    /// <inheritdoc/>
    public override LayerFileStatus Stat(SafeFileHandle handle, string pathForMessages)
    {
        FileBasicInfo basic = QueryBasicInfo(handle, pathForMessages);
        FileStandardInfo standard;
        FileIdInfo id;
        if (!GetFileInformationByHandleEx(handle, FileInfoClass.FileStandardInfo, &standard, (uint)sizeof(FileStandardInfo)) ||
            !GetFileInformationByHandleEx(handle, FileInfoClass.FileIdInfo, &id, (uint)sizeof(FileIdInfo)))
        {
            throw new LayerPathException("stat", pathForMessages, Marshal.GetLastPInvokeError());
        }

        LayerFileKind kind = basic.IsReparsePoint ? LayerFileKind.SymbolicLink
            : basic.IsDirectory ? LayerFileKind.Directory
            : LayerFileKind.File;
        return new LayerFileStatus(kind, standard.EndOfFile, standard.NumberOfLinks, ComposeFileId(id.VolumeSerialNumber, id.FileIdLow, id.FileIdHigh),
            basic.LastWriteTime, basic.LastAccessTime, basic.ChangeTime, basic.CreationTime);
    }

    /// <summary>
    /// One number per file on the machine: NTFS ids fit in 64 bits, so the volume serial goes in the high half (as
    /// the Unix side puts the device there); a full 128-bit id (ReFS) is taken as is.
    /// </summary>
    internal static UInt128 ComposeFileId(ulong volumeSerialNumber, ulong fileIdLow, ulong fileIdHigh) =>
        new(fileIdHigh != 0 ? fileIdHigh : volumeSerialNumber, fileIdLow);

    /// <inheritdoc/>
    public override bool Remove(string relativePath)
    {
        string[] parts = Split(relativePath);
        RequireNonRoot(parts, relativePath, "remove");
        SafeFileHandle handle;
        try
        {
            handle = OpenRelative(relativePath, parts, FileReadAttributes | FileWriteAttributes | Delete, FileShareAll, FileOpen, FileOpenReparsePoint, "remove");
        }
        catch (LayerPathException e) when (e.IsNotFound)
        {
            return false;
        }

        using (handle)
        {
            int error = MarkForDeletion(handle);
            if (error == Win32Error.AccessDenied)
            {
                // hcsshim: a read-only file cannot be deleted; clear the attribute (NORMAL if nothing would be left) and retry once.
                FileBasicInfo info = QueryBasicInfo(handle, Describe(relativePath));
                FileAttributes attributes = info.FileAttributes & ~FileAttributes.ReadOnly;
                SetBasicInfo(handle, new FileBasicInfo(0, 0, 0, 0, attributes == 0 ? FileAttributes.Normal : attributes), Describe(relativePath));
                error = MarkForDeletion(handle);
            }

            return error == Win32Error.Success ? true : throw new LayerPathException("remove", Describe(relativePath), error);
        }
    }

    private static int MarkForDeletion(SafeFileHandle handle)
    {
        IoStatusBlock io = default;
        var ex = new FileDispositionInformationEx { Flags = FileDispositionDelete | FileDispositionPosixSemantics };
        int status = NtSetInformationFile(handle, &io, &ex, (uint)sizeof(FileDispositionInformationEx), FileDispositionInformationExClass);
        if (status is NtStatus.InvalidInfoClass or NtStatus.InvalidParameter or NtStatus.NotSupported)
        {
            // Before Windows 10 1607, or a file system without POSIX delete (FAT): the classic delete-on-close.
            var classic = new FileDispositionInformation { DeleteFile = 1 };
            status = NtSetInformationFile(handle, &io, &classic, (uint)sizeof(FileDispositionInformation), FileDispositionInformationClass);
        }

        return ToWin32(status);
    }

    /// <inheritdoc/>
    public override void Link(string existingRelativePath, LayerRoot newRoot, string newRelativePath)
    {
        var windowsRoot = newRoot as WindowsLayerRoot ?? throw new ArgumentException("Both roots must be of the same platform.", nameof(newRoot));
        string[] oldParts = Split(existingRelativePath);
        string[] newParts = Split(newRelativePath);
        RequireNonRoot(oldParts, existingRelativePath, "link");
        newRoot.RequireNonRoot(newParts, newRelativePath, "link");
        string describe = $"{Describe(existingRelativePath)} {newRoot.Describe(newRelativePath)}";
        using SafeFileHandle existing = OpenRelative(existingRelativePath, oldParts, FileWriteAttributes, FileShareAll, FileOpen, 0, "link", describe);
        SafeFileHandle? parent = null;
        try
        {
            if (newParts.Length > 1)
            {
                string parentPath = string.Join('\\', newParts, 0, newParts.Length - 1);
                parent = windowsRoot.OpenRelative(parentPath, newParts[..^1], GenericRead, FileShareAll, FileOpen, FileDirectoryFile, "link", describe);

                // OBJ_DONT_REPARSE already refuses it; hcsshim checks again, and so does this.
                if (QueryBasicInfo(parent, describe).IsReparsePoint)
                {
                    throw new LayerPathException("link", describe, Win32Error.ReparsePointEncountered);
                }
            }

            SafeFileHandle directory = parent ?? windowsRoot._root;
            bool added = false;
            directory.DangerousAddRef(ref added);
            try
            {
                byte[] information = BuildFileLinkInformation(directory.DangerousGetHandle(), newParts[^1]);
                IoStatusBlock io = default;
                fixed (byte* p = information)
                {
                    int status = NtSetInformationFile(existing, &io, p, (uint)information.Length, FileLinkInformationClass);
                    if (!NtStatus.IsSuccess(status))
                    {
                        throw new LayerPathException("link", describe, ToWin32(status));
                    }
                }
            }
            finally
            {
                if (added)
                {
                    directory.DangerousRelease();
                }
            }
        }
        finally
        {
            parent?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override List<(string Name, bool IsDirectory)> List(string relativePath)
    {
        string[] parts = Split(relativePath);
        using SafeFileHandle directory = OpenRelative(relativePath, parts, FileListDirectory | FileReadAttributes, FileShareAll, FileOpen, FileDirectoryFile | FileOpenReparsePoint, "open");
        var names = new List<(string, bool)>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int infoClass = FileInfoClass.FileFullDirectoryRestartInfo;
            while (true)
            {
                fixed (byte* p = buffer)
                {
                    if (!GetFileInformationByHandleEx(directory, infoClass, p, (uint)buffer.Length))
                    {
                        int error = Marshal.GetLastPInvokeError();
                        if (error == ErrorNoMoreFiles)
                        {
                            break;
                        }

                        throw new LayerPathException("readdir", Describe(relativePath), error);
                    }
                }

                ParseFullDirectoryInfo(buffer, names);
                infoClass = FileInfoClass.FileFullDirectoryInfo;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return names;
    }

    /// <summary>Reads the chained <c>FILE_FULL_DIR_INFO</c> entries of one call, skipping <c>.</c> and <c>..</c>.</summary>
    internal static void ParseFullDirectoryInfo(ReadOnlySpan<byte> buffer, List<(string Name, bool IsDirectory)> names)
    {
        int offset = 0;
        while (true)
        {
            ReadOnlySpan<byte> entry = buffer[offset..];
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(entry[FileFullDirInfo.NextEntryOffset..]);
            var attributes = (FileAttributes)BinaryPrimitives.ReadUInt32LittleEndian(entry[FileFullDirInfo.FileAttributes..]);
            int nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[FileFullDirInfo.FileNameLength..]);
            string name = Encoding.Unicode.GetString(entry.Slice(FileFullDirInfo.FileName, nameLength));
            if (name is not "." and not "..")
            {
                names.Add((name, (attributes & FileAttributes.Directory) != 0 && (attributes & FileAttributes.ReparsePoint) == 0));
            }

            if (next == 0)
            {
                return;
            }

            offset += (int)next;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Never <see langword="null"/> on Windows: the file system's own basic info is the entry's.</remarks>
    public override FileBasicInfo? GetBasicInfo(SafeFileHandle handle) => QueryBasicInfo(handle, FullPath);

    /// <inheritdoc/>
    public override FileBasicInfo GetBasicInfoOrDefault(SafeFileHandle handle) => QueryBasicInfo(handle, FullPath);

    /// <inheritdoc/>
    public override void SetBasicInfo(SafeFileHandle handle, FileBasicInfo info, string pathForMessages)
    {
        byte* buffer = stackalloc byte[FileBasicInfo.BinarySize];
        info.WriteTo(new Span<byte>(buffer, FileBasicInfo.BinarySize));
        if (!SetFileInformationByHandle(handle, FileInfoClass.FileBasicInfo, buffer, FileBasicInfo.BinarySize))
        {
            throw new LayerPathException("SetFileInformationByHandle", pathForMessages, Marshal.GetLastPInvokeError());
        }
    }

    private static FileBasicInfo QueryBasicInfo(SafeFileHandle handle, string pathForMessages)
    {
        byte* buffer = stackalloc byte[FileBasicInfo.BinarySize];
        if (!GetFileInformationByHandleEx(handle, FileInfoClass.FileBasicInfo, buffer, FileBasicInfo.BinarySize))
        {
            throw new LayerPathException("GetFileInformationByHandleEx", pathForMessages, Marshal.GetLastPInvokeError());
        }

        return FileBasicInfo.ReadFrom(new ReadOnlySpan<byte>(buffer, FileBasicInfo.BinarySize));
    }

    /// <inheritdoc/>
    /// <remarks>NTFS keeps all four times: they are set, and the attributes are left as they are (0 means "unchanged").</remarks>
    public override void SetFileTimes(SafeFileHandle handle, FileBasicInfo info) =>
        SetBasicInfo(handle, info with { FileAttributes = 0 }, FullPath);

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">Always: symbolic links are only made for the portable store's scratch mounts, which Windows does not use (HCS mounts scratch layers itself).</exception>
    public override void CreateSymbolicLink(string relativePath, string target) =>
        throw new PlatformNotSupportedException($"symlink {Describe(relativePath)}: layer roots on Windows do not create symbolic links (only the portable store's scratch mounts need them; on Windows HCS mounts scratch layers).");

    /// <inheritdoc/>
    /// <exception cref="PlatformNotSupportedException">Always, as <see cref="CreateSymbolicLink"/>: on Windows a link travels as reparse data inside the backup stream.</exception>
    public override string ReadSymbolicLink(string relativePath) =>
        throw new PlatformNotSupportedException($"readlink {Describe(relativePath)}: layer roots on Windows keep symbolic links as reparse data in the backup stream and do not read their targets.");

    /// <inheritdoc/>
    public override Stream OpenPlainBackupReader(FileStream? content, SafeFileHandle handle, bool includeSecurity, string pathForMessages) =>
        new BackupReadStream(handle, content, includeSecurity, pathForMessages);

    /// <inheritdoc/>
    public override long GetPlainSize(FileStream content, SafeFileHandle handle, string pathForMessages)
    {
        FileStandardInfo standard;
        return GetFileInformationByHandleEx(handle, FileInfoClass.FileStandardInfo, &standard, (uint)sizeof(FileStandardInfo))
            ? standard.EndOfFile
            : throw new LayerPathException("GetFileInformationByHandleEx", pathForMessages, Marshal.GetLastPInvokeError());
    }

    /// <inheritdoc/>
    public override PlainBackupWriter CreatePlainBackupWriter(FileStream? file, SafeFileHandle handle, bool processSecurity, string pathForMessages) =>
        new BackupWriteStream(handle, processSecurity, pathForMessages);

    /// <inheritdoc/>
    public override bool ReparsePointsAreEntries => true;

    /// <inheritdoc/>
    /// <remarks>
    /// hcsshim's <c>copyFileWithMetadata</c>: the basic info is set first, then the whole backup stream with security
    /// (data, alternate streams, EAs, reparse data, security descriptor) is piped from BackupRead into BackupWrite.
    /// Directory times are reapplied by the caller once the tree is complete. Copying the data stream again after
    /// <see cref="LayerCopier.CopyFile"/> costs a second write of the few files copied (the BCD files, reparse points);
    /// it keeps one path for files and directories.
    /// </remarks>
    public override void CopyMetadata(SafeFileHandle source, LayerRoot destinationRoot, SafeFileHandle destination, string destinationPath)
    {
        destinationRoot.SetBasicInfo(destination, QueryBasicInfo(source, destinationPath), destinationPath);
        using var reader = new BackupReadStream(source, owned: null, processSecurity: true, destinationPath);
        using var writer = new BackupWriteStream(destination, processSecurity: true, destinationPath);
        reader.CopyTo(writer, 64 * 1024);
        writer.Complete();
    }

    /// <summary>Whether the entry is a reparse point on a directory (a junction or a directory symbolic link); the leaf is not followed.</summary>
    internal bool IsDirectoryReparsePoint(string relativePath)
    {
        string[] parts = Split(relativePath);
        using SafeFileHandle handle = OpenRelative(relativePath, parts, FileReadAttributes, FileShareAll, FileOpen, FileOpenReparsePoint, "stat");
        FileBasicInfo info = QueryBasicInfo(handle, Describe(relativePath));
        return info.IsReparsePoint && info.IsDirectory;
    }

    protected override void DisposeCore() => _root.Dispose();

    /// <summary>Opens with <paramref name="access"/> plus <paramref name="optional"/>, or with <paramref name="access"/> alone when the token cannot have the optional rights.</summary>
    private SafeFileHandle OpenWithFallback(string relativePath, string[] parts, uint access, uint optional, uint share, uint disposition, uint options, string operation)
    {
        try
        {
            return OpenRelative(relativePath, parts, access | optional, share, disposition, options, operation);
        }
        catch (LayerPathException e) when (optional != 0 && e.ErrorCode is Win32Error.AccessDenied or Win32Error.PrivilegeNotHeld)
        {
            return OpenRelative(relativePath, parts, access, share, disposition, options, operation);
        }
    }

    /// <summary>hcsshim's <c>openRelativeInternal</c>: one NtCreateFile relative to the root, no reparse point followed anywhere.</summary>
    private SafeFileHandle OpenRelative(string relativePath, string[] parts, uint access, uint share, uint disposition, uint options, string operation, string? describe = null)
    {
        ThrowIfDisposed();
        string name = string.Join('\\', parts);
        bool added = false;
        _root.DangerousAddRef(ref added);
        try
        {
            fixed (char* chars = name)
            {
                var objectName = new UnicodeString
                {
                    Length = checked((ushort)(name.Length * sizeof(char))),
                    MaximumLength = checked((ushort)(name.Length * sizeof(char))),
                    Buffer = chars,
                };
                var attributes = new ObjectAttributes
                {
                    Length = (uint)sizeof(ObjectAttributes),
                    RootDirectory = _root.DangerousGetHandle(),
                    ObjectName = &objectName,
                    Attributes = ObjDontReparse,
                };
                IoStatusBlock io = default;
                nint handle = 0;
                int status = NtCreateFile(&handle, access | Synchronize, &attributes, &io, null, 0, share, disposition,
                    FileOpenForBackupIntent | FileSynchronousIoNonAlert | options, null, 0);
                if (!NtStatus.IsSuccess(status))
                {
                    throw new LayerPathException(operation, describe ?? Describe(relativePath), ToWin32(status));
                }

                return new SafeFileHandle(handle, ownsHandle: true);
            }
        }
        catch (OverflowException)
        {
            throw new LayerPathException(operation, describe ?? Describe(relativePath), Win32Error.FilenameExceedsRange);
        }
        finally
        {
            if (added)
            {
                _root.DangerousRelease();
            }
        }
    }

    private static int ToWin32(int status) => NtStatus.IsSuccess(status) ? Win32Error.Success : (int)RtlNtStatusToDosError(status);
}
