using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// A layer folder opened as a root: every path given to it is relative, and no operation can reach outside the
/// root, neither through <c>..</c> nor through a symbolic link or reparse point on any component, even one swapped in
/// while the operation runs (hcsshim's <c>safefile</c>). This is the file-system seam of the transport format: one
/// implementation per platform (<see cref="UnixLayerRoot"/>; <see cref="WindowsLayerRoot"/> opens relative to the root
/// handle with <c>NtCreateFile</c> and reads plain files with <c>BackupRead</c>).
/// </summary>
/// <remarks>Relative paths may use <c>\</c> or <c>/</c>.</remarks>
internal abstract class LayerRoot : IDisposable
{
    private bool _disposed;

    protected LayerRoot(string fullPath) => FullPath = fullPath;

    /// <summary>The absolute path of the root, for messages.</summary>
    public string FullPath { get; }

    /// <summary>Opens an existing directory as a root.</summary>
    /// <exception cref="LayerPathException">It does not exist or is not a directory.</exception>
    public static LayerRoot Open(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return WindowsLayerRoot.Open(path);
        }

        return UnixLayerRoot.Open(System.IO.Path.GetFullPath(path));
    }

    /// <summary>Creates a file that must not exist yet (<c>FILE_CREATE</c>); its parent must exist.</summary>
    public abstract FileStream CreateFile(string relativePath);

    /// <summary>Opens an existing file (not a directory, never a link) for reading or read/write.</summary>
    public abstract FileStream OpenFile(string relativePath, FileAccess access = FileAccess.Read);

    /// <summary>Opens an existing file or directory (never a link) as a handle, for metadata.</summary>
    public abstract SafeFileHandle OpenHandle(string relativePath, bool directory, bool write = false);

    /// <summary>Creates a directory that must not exist yet; its parent must exist.</summary>
    public abstract void CreateDirectory(string relativePath);

    /// <summary>The status of a path, or <see langword="null"/> if it (or a parent) does not exist. Links are not followed.</summary>
    public abstract LayerFileStatus? Stat(string relativePath);

    /// <summary>The status of an open handle.</summary>
    public abstract LayerFileStatus Stat(SafeFileHandle handle, string pathForMessages);

    /// <summary>Removes a file, a link or an empty directory (the entry itself, never a link's target).</summary>
    /// <returns><see langword="false"/> if it did not exist.</returns>
    public abstract bool Remove(string relativePath);

    /// <summary>Creates a hard link <paramref name="newRelativePath"/> in <paramref name="newRoot"/> to an existing file of this root.</summary>
    public abstract void Link(string existingRelativePath, LayerRoot newRoot, string newRelativePath);

    /// <summary>The names in a directory (unsorted) with whether each is a directory (a link to a directory is not).</summary>
    public abstract List<(string Name, bool IsDirectory)> List(string relativePath);

    /// <summary>Reads the entry's Windows basic info, or <see langword="null"/> if none was stored.</summary>
    public abstract FileBasicInfo? GetBasicInfo(SafeFileHandle handle);

    /// <summary>The entry's basic info; where none was stored, one derived from what the file system has.</summary>
    public abstract FileBasicInfo GetBasicInfoOrDefault(SafeFileHandle handle);

    /// <summary>Sets the entry's Windows times and attributes.</summary>
    public abstract void SetBasicInfo(SafeFileHandle handle, FileBasicInfo info, string pathForMessages);

    /// <summary>
    /// Reads a file or directory kept plain (outside <c>Files\</c>) as a Win32 backup stream, what <c>BackupRead</c>
    /// returns; the stream owns <paramref name="content"/>.
    /// </summary>
    public abstract Stream OpenPlainBackupReader(FileStream? content, SafeFileHandle handle, bool includeSecurity, string pathForMessages);

    /// <summary>The logical size of a file kept plain (its data stream; for a sparse file, its end).</summary>
    public abstract long GetPlainSize(FileStream content, SafeFileHandle handle, string pathForMessages);

    /// <summary>Restores a Win32 backup stream into a file or directory kept plain, what <c>BackupWrite</c> does.</summary>
    /// <param name="file">The file, or <see langword="null"/> for a directory.</param>
    /// <param name="handle">The handle of the file or directory.</param>
    /// <param name="processSecurity">Restore the security descriptor (hcsshim does for <c>UtilityVM</c>, not for <c>Hives</c>).</param>
    /// <param name="pathForMessages">The path, for messages.</param>
    public abstract PlainBackupWriter CreatePlainBackupWriter(FileStream? file, SafeFileHandle handle, bool processSecurity, string pathForMessages);

    /// <summary>Whether a reparse point in this root is an entry of its own (Windows) rather than a link nothing may follow (Unix, where the store never makes one).</summary>
    public virtual bool ReparsePointsAreEntries => false;

    /// <summary>Sets only the times the file system itself keeps (for plain views such as a scratch mount).</summary>
    public abstract void SetFileTimes(SafeFileHandle handle, FileBasicInfo info);

    /// <summary>Creates a symbolic link named <paramref name="relativePath"/> pointing at <paramref name="target"/> (never resolved here).</summary>
    public abstract void CreateSymbolicLink(string relativePath, string target);

    /// <summary>The target of a symbolic link.</summary>
    public abstract string ReadSymbolicLink(string relativePath);

    /// <summary>Copies the Windows metadata (times, attributes, security and other non-data streams) of one entry to another.</summary>
    public abstract void CopyMetadata(SafeFileHandle source, LayerRoot destinationRoot, SafeFileHandle destination, string destinationPath);

    /// <summary>Creates a directory and any missing parents; an existing non-directory component is an error.</summary>
    public void CreateDirectories(string relativePath)
    {
        string[] parts = Split(relativePath);
        for (int i = 1; i <= parts.Length; i++)
        {
            string partial = string.Join('/', parts, 0, i);
            LayerFileStatus? status = Stat(partial);
            if (status is null)
            {
                CreateDirectory(partial);
            }
            else if (status.Value.Kind == LayerFileKind.SymbolicLink)
            {
                throw new LayerPathException("mkdir", Describe(partial), Win32Error.ReparsePointEncountered);
            }
            else if (!status.Value.IsDirectory)
            {
                throw new LayerPathException("mkdir", Describe(partial), Win32Error.Directory, "not a directory");
            }
        }
    }

    /// <summary>Removes a path and everything below it; links are removed, never followed. A missing path is not an error.</summary>
    public virtual void RemoveAll(string relativePath)
    {
        LayerFileStatus? status = Stat(relativePath);
        if (status is null)
        {
            return;
        }

        if (status.Value.IsDirectory)
        {
            foreach ((string name, _) in List(relativePath))
            {
                RemoveAll(relativePath.Length == 0 ? name : relativePath + "/" + name);
            }
        }

        Remove(relativePath);
    }

    /// <summary>Splits and validates a relative path: no empty, <c>.</c> or <c>..</c> components, no root, drive, ':' or NUL.</summary>
    internal static string[] Split(string relativePath)
    {
        if (relativePath.Length == 0)
        {
            return [];
        }

        if (relativePath[0] is '\\' or '/')
        {
            throw new ArgumentException($"expected relative path: '{relativePath}'", nameof(relativePath));
        }

        string[] parts = relativePath.Split('\\', '/');
        foreach (string part in parts)
        {
            if (part.Length == 0 || part == "." || part == "..")
            {
                throw new ArgumentException($"invalid path component in '{relativePath}'", nameof(relativePath));
            }

            if (part.Contains(':', StringComparison.Ordinal) || part.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"path contains invalid character ':' or NUL: '{relativePath}'", nameof(relativePath));
            }
        }

        return parts;
    }

    /// <summary>
    /// The names in a directory in hcsshim's walk order (ordinal by UTF-8 bytes), each checked to be a name Windows
    /// can hold.
    /// </summary>
    public List<(string Name, bool IsDirectory)> ListInWalkOrder(string relativePath)
    {
        List<(string Name, bool IsDirectory)> children = List(relativePath);
        foreach ((string child, _) in children)
        {
            RequireWindowsName(relativePath, child);
        }

        children.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        return children;
    }

    /// <summary>
    /// Checks a name read from a directory listing (not from a layer, whose names were checked when written): a POSIX
    /// name may hold <c>\</c> or <c>:</c>, which a Windows layer cannot, and which would read as a separator or a stream.
    /// </summary>
    /// <exception cref="InvalidDataException">The name cannot be part of a Windows layer.</exception>
    public void RequireWindowsName(string directory, string name)
    {
        if (name.Contains('\\', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Describe(directory)}/{name}: the name contains '\\' or ':', which a Windows layer cannot hold.");
        }
    }

    /// <summary>The full path of a relative path, for messages.</summary>
    public string Describe(string relativePath) =>
        relativePath.Length == 0 ? FullPath : System.IO.Path.Join(FullPath, relativePath.Replace('\\', '/'));

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            DisposeCore();
        }
    }

    protected abstract void DisposeCore();

    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    internal void RequireNonRoot(string[] parts, string relativePath, string operation)
    {
        if (parts.Length == 0)
        {
            throw new LayerPathException(operation, Describe(relativePath), Win32Error.InvalidParameter, "the operation needs a path below the layer root");
        }
    }
}
