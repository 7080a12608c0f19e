using WcLayer.Win32;

namespace WcLayer.Images;

/// <summary>
/// Local files as a new Windows layer (the Linux build machine's <c>COPY</c>): the <c>Hives</c> and <c>Files</c>
/// directories a Windows import expects, every parent of the destination, then the sources under it, each with
/// Windows metadata (attributes, times, BuildKit's security descriptors, symbolic links as reparse points). Files are
/// streamed from disk when read, never held.
/// </summary>
internal sealed class LocalFilesLayerReader : ILayerReader
{
    private readonly IEnumerator<PendingEntry> _entries;
    private readonly AppendSecurity _security;
    private readonly MemoryStream _prefix = new();
    private FileStream? _data;
    private PendingEntry? _current;
    private long _dataRemaining;
    private ulong _fileId;

    /// <param name="sources">Files and folders; a folder's contents go into the destination, a file under its name.</param>
    /// <param name="destination">The destination folder's components under <c>C:\</c>.</param>
    /// <param name="created">The time of the folders this layer makes (<c>Hives</c>, <c>Files</c>, the destination and its parents).</param>
    /// <param name="security">The entries' security descriptors (and the metadata of folders the base already has).</param>
    public LocalFilesLayerReader(IReadOnlyList<string> sources, IReadOnlyList<string> destination, DateTimeOffset created, AppendSecurity security)
    {
        _security = security;
        _entries = Walk(sources, destination, created, security).GetEnumerator();
    }

    private enum EntryKind
    {
        Directory,
        File,
        SymbolicLink,
    }

    public LayerEntry? Next()
    {
        CloseData();
        if (!_entries.MoveNext())
        {
            _current = null;
            return null;
        }

        PendingEntry entry = _entries.Current;
        _current = entry;
        _prefix.SetLength(0);
        using (var backup = new BackupStreamWriter(_prefix, leaveOpen: true))
        {
            backup.WriteStream(BackupStreamId.SecurityData, _security.For(entry.Name, entry.Info.IsDirectory));
            if (entry.LinkTarget is { } target)
            {
                backup.WriteStream(BackupStreamId.ReparseData, ReparsePoint.Create(target, isMountPoint: false).Buffer.Span);
            }

            if (entry.Kind == EntryKind.File)
            {
                _data = new FileStream(entry.LocalPath!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
                _dataRemaining = entry.Size;
                backup.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.None, entry.Size));
            }
        }

        _prefix.Position = 0;
        return new LayerEntry(entry.Name, entry.Size, entry.Info);
    }

    public int Read(Span<byte> buffer)
    {
        PendingEntry entry = _current ?? throw new InvalidOperationException("There is no current entry.");
        int read = _prefix.Read(buffer);
        if (read > 0 || _data is null || _dataRemaining == 0)
        {
            return read;
        }

        read = _data.Read(buffer[..(int)Math.Min(buffer.Length, _dataRemaining)]);
        if (read == 0)
        {
            throw new IOException($"{entry.LocalPath}: the file became shorter ({_dataRemaining} bytes missing) while it was being added.");
        }

        _dataRemaining -= read;
        return read;
    }

    public LayerLinkInfo GetLinkInfo() =>
        _current is null ? throw new InvalidOperationException("There is no current entry.") : new LayerLinkInfo(1, ++_fileId);

    public void Dispose()
    {
        CloseData();
        _entries.Dispose();
        _prefix.Dispose();
    }

    private void CloseData()
    {
        _data?.Dispose();
        _data = null;
    }

    private static IEnumerable<PendingEntry> Walk(IReadOnlyList<string> sources, IReadOnlyList<string> destination, DateTimeOffset created, AppendSecurity security)
    {
        var made = FileBasicInfo.FromTime(created, FileAttributes.Directory);
        yield return new PendingEntry("Hives", null, EntryKind.Directory, made, 0, null);
        yield return new PendingEntry("Files", null, EntryKind.Directory, security.ExistingInfo("Files") ?? made, 0, null);
        string folder = "Files";
        foreach (string component in destination)
        {
            folder += "\\" + component;
            yield return new PendingEntry(folder, null, EntryKind.Directory, security.ExistingInfo(folder) ?? made, 0, null);
        }

        // NTFS names compare ignoring case: two sources may not both bring a file of one name; folders merge.
        var seen = new Dictionary<string, EntryKind>(StringComparer.OrdinalIgnoreCase);
        foreach (string source in sources)
        {
            var info = new DirectoryInfo(source);
            if (info.Exists && info.LinkTarget is null)
            {
                foreach (PendingEntry entry in WalkFolder(info, folder, seen))
                {
                    yield return entry;
                }
            }
            else
            {
                FileSystemInfo file = info.Exists ? info : new FileInfo(source);
                if (!file.Exists && file.LinkTarget is null)
                {
                    throw new FileNotFoundException($"'{source}' does not exist.", source);
                }

                foreach (PendingEntry entry in Entry(file, folder, seen))
                {
                    yield return entry;
                }
            }
        }
    }

    private static IEnumerable<PendingEntry> WalkFolder(DirectoryInfo folder, string name, Dictionary<string, EntryKind> seen)
    {
        foreach (FileSystemInfo child in folder.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (PendingEntry entry in Entry(child, name, seen))
            {
                yield return entry;
            }
        }
    }

    private static IEnumerable<PendingEntry> Entry(FileSystemInfo local, string parent, Dictionary<string, EntryKind> seen)
    {
        if (WindowsName.Problem(local.Name) is { } problem)
        {
            throw new InvalidDataException($"{local.FullName}: {problem}");
        }

        string name = parent + "\\" + local.Name;
        EntryKind kind = local.LinkTarget is not null ? EntryKind.SymbolicLink
            : (local.Attributes & FileAttributes.Directory) != 0 ? EntryKind.Directory
            : EntryKind.File;
        if (seen.TryGetValue(name, out EntryKind earlier))
        {
            if (kind != EntryKind.Directory || earlier != EntryKind.Directory)
            {
                throw new InvalidDataException($"{local.FullName}: another source already adds {name}.");
            }
        }
        else
        {
            seen.Add(name, kind);
            yield return kind switch
            {
                EntryKind.SymbolicLink => Link(local, name),
                EntryKind.Directory => new PendingEntry(name, local.FullName, kind, Info(local, FileAttributes.Directory), 0, null),
                _ => new PendingEntry(name, local.FullName, kind, Info(local, FileAttributes.Archive | ReadOnly(local)), ((FileInfo)local).Length, null),
            };
        }

        if (kind == EntryKind.Directory)
        {
            foreach (PendingEntry entry in WalkFolder((DirectoryInfo)local, name, seen))
            {
                yield return entry;
            }
        }
    }

    private static PendingEntry Link(FileSystemInfo local, string name)
    {
        string target = local.LinkTarget!;
        if (target.StartsWith('/'))
        {
            throw new InvalidDataException($"{local.FullName}: a symbolic link to an absolute path of this machine ({target}) means nothing in a container; make it relative.");
        }

        bool toFolder = Directory.Exists(local.FullName);
        FileAttributes attributes = FileAttributes.ReparsePoint | (toFolder ? FileAttributes.Directory : FileAttributes.Archive);
        return new PendingEntry(name, local.FullName, EntryKind.SymbolicLink, Info(local, attributes), 0, target.Replace('/', '\\'));
    }

    /// <summary>A file nobody may write (no w bit on Unix) is read-only, as Windows marks such files.</summary>
    private static FileAttributes ReadOnly(FileSystemInfo local) =>
        OperatingSystem.IsWindows()
            ? local.Attributes & FileAttributes.ReadOnly
            : (local.UnixFileMode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0 ? FileAttributes.ReadOnly : 0;

    private static FileBasicInfo Info(FileSystemInfo local, FileAttributes attributes)
    {
        long written = FileTime.FromDateTime(local.LastWriteTimeUtc);
        long created = FileTime.FromDateTime(local.CreationTimeUtc);
        return new FileBasicInfo(Math.Min(created, written), FileTime.FromDateTime(local.LastAccessTimeUtc), written, written, attributes);
    }

    private sealed record PendingEntry(string Name, string? LocalPath, EntryKind Kind, FileBasicInfo Info, long Size, string? LinkTarget);
}
