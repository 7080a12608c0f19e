using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// Reads a folder in the HCS transport format (what <c>ExportLayer</c> writes; also how the portable store keeps
/// layers) as hcsshim's legacy reader does: depth first, names in byte-wise UTF-8 order (Go's <c>sort.Strings</c>),
/// a directory before its children, a directory's tombstones right after it, <c>Files\$Recycle.Bin</c> skipped,
/// <c>.$wcidirs$</c> companions never yielded.
/// </summary>
/// <remarks>
/// <para><c>Files\</c> entries are attribute-prefixed backup streams and can be read twice
/// (<see cref="ISeekableLayerReader"/>); other entries (<c>Files</c>, <c>Hives</c>, <c>UtilityVM</c>) are plain files
/// whose backup stream is rebuilt. Tombstones whose directory is missing from the folder are yielded at the end
/// (hcsshim drops them: B16). Nothing outside the folder is ever opened: links in it are refused.</para>
/// </remarks>
public sealed class TransportLayerReader : ISeekableLayerReader
{
    private readonly LayerRoot _root;
    private readonly TransportLayerReaderOptions _options;
    private readonly Dictionary<string, List<string>> _tombstonesByDirectory = new(StringComparer.Ordinal);
    private readonly List<string> _tombstoneDirectories = [];
    private readonly Stack<WalkFrame> _stack = new();
    private readonly Queue<string> _pendingTombstones = new();
    private Stream? _current;
    private SafeFileHandle? _currentHandle;
    private SafeFileHandle? _ownedHandle;
    private bool _currentSeekable;
    private LayerLinkInfo? _currentLinkInfo;
    private string? _currentName;
    private bool _finished;
    private bool _disposed;

    /// <summary>Opens an export folder.</summary>
    /// <param name="folderPath">The folder.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="LayerPathException">The folder cannot be opened.</exception>
    /// <exception cref="InvalidDataException"><c>tombstones.txt</c> is malformed.</exception>
    public TransportLayerReader(string folderPath, TransportLayerReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folderPath);
        _options = options ?? new TransportLayerReaderOptions();
        _root = LayerRoot.Open(folderPath);
        try
        {
            ReadTombstones();
            _stack.Push(new WalkFrame(string.Empty, _root.ListInWalkOrder(string.Empty)));
        }
        catch
        {
            _root.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public bool CanSeekEntry => _current is not null && _currentSeekable;

    /// <inheritdoc/>
    public LayerEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CloseCurrent();
        if (_pendingTombstones.TryDequeue(out string? tombstone))
        {
            return new LayerEntry(tombstone, 0, null);
        }

        while (_stack.TryPeek(out WalkFrame? frame))
        {
            if (_pendingTombstones.TryDequeue(out tombstone))
            {
                return new LayerEntry(tombstone, 0, null);
            }

            if (frame.Index >= frame.Children.Count)
            {
                _stack.Pop();
                continue;
            }

            (string childName, bool isDirectory) = frame.Children[frame.Index++];
            string name = TransportPath.Join(frame.Name, childName);
            if (frame.Name.Length == 0 && (childName == TransportPath.TombstonesFile || _options.SkippedRootNames.Contains(childName)))
            {
                continue;
            }

            if (childName.EndsWith(TransportPath.DirectoryCompanionSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            if (isDirectory && string.Equals(name, TransportPath.RecycleBin, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            bool plain = _options.FilesArePlain && TransportPath.HasPrefix(name, TransportPath.Files);
            LayerEntry? plainEntry = null;
            if (plain && !isDirectory)
            {
                LayerFileStatus? status = _root.Stat(name);
                if (status is { IsWhiteout: true })
                {
                    continue;
                }

                if (status is { Kind: LayerFileKind.SymbolicLink })
                {
                    plainEntry = OpenPlainLink(name, status.Value);
                }
            }

            bool implicitDirectory = plain && isDirectory && PlainFilesTree.IsImplicit((UnixLayerRoot)_root, name);
            LayerEntry? entry = plainEntry ?? (implicitDirectory ? null : Open(name, isDirectory));
            if (isDirectory)
            {
                _stack.Push(new WalkFrame(name, _root.ListInWalkOrder(name)));
                if (_tombstonesByDirectory.Remove(name, out List<string>? tombstones))
                {
                    foreach (string t in tombstones)
                    {
                        _pendingTombstones.Enqueue(t);
                    }
                }
            }

            if (entry is null)
            {
                continue;
            }

            return entry;
        }

        if (!_finished)
        {
            // Tombstones of directories that are not in the folder: hcsshim drops them silently (B16).
            _finished = true;
            foreach (string directory in _tombstoneDirectories)
            {
                if (_tombstonesByDirectory.Remove(directory, out List<string>? tombstones))
                {
                    foreach (string t in tombstones)
                    {
                        _pendingTombstones.Enqueue(t);
                    }
                }
            }

            if (_pendingTombstones.TryDequeue(out tombstone))
            {
                return new LayerEntry(tombstone, 0, null);
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _current is null ? 0 : _current.Read(buffer);
    }

    /// <inheritdoc/>
    public long SeekEntry(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_current is null)
        {
            throw new InvalidOperationException("no current file");
        }

        if (!_currentSeekable)
        {
            throw new NotSupportedException("seek not supported on this stream");
        }

        long target = origin switch
        {
            SeekOrigin.Begin => offset + sizeof(uint),
            SeekOrigin.Current => _current.Position + offset,
            _ => _current.Length + offset,
        };
        return _current.Seek(Math.Max(target, sizeof(uint)), SeekOrigin.Begin) - sizeof(uint);
    }

    /// <inheritdoc/>
    public LayerLinkInfo GetLinkInfo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_currentLinkInfo is { } linkInfo)
        {
            return linkInfo;
        }

        if (_currentHandle is null)
        {
            throw new InvalidOperationException("There is no current entry, or it is a tombstone.");
        }

        LayerFileStatus status = _root.Stat(_currentHandle, _root.Describe(_currentName!));
        return new LayerLinkInfo(status.NumberOfLinks, status.FileId);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CloseCurrent();
            _root.Dispose();
        }
    }

    private LayerEntry Open(string name, bool isDirectory)
    {
        _currentName = name;
        string path = _root.Describe(name);
        bool underFiles = TransportPath.HasPrefix(name, TransportPath.Files);

        // hcsshim's writer keeps the metadata of every directory it adds in a companion, top-level ones (Files,
        // Hives) included; its reader reads those from the directory itself. Reading a companion wherever there is
        // one keeps both HCS exports and our own layers exact.
        bool prefixed = _options.FilesArePlain
            ? !underFiles && name != TransportPath.Files && isDirectory && _root.Stat(name + TransportPath.DirectoryCompanionSuffix) is { Kind: LayerFileKind.File }
            : underFiles || (isDirectory && _root.Stat(name + TransportPath.DirectoryCompanionSuffix) is { Kind: LayerFileKind.File });
        LayerEntry entry = prefixed ? OpenPrefixed(name, isDirectory, path) : OpenPlain(name, isDirectory, path);
        if (_options.HcsExportTimeRules && !underFiles)
        {
            FileBasicInfo info = entry.FileInfo!.Value;
            if (name is TransportPath.Files or TransportPath.Hives)
            {
                using SafeFileHandle delta = _root.OpenHandle(TransportPath.SystemDeltaHive, directory: false);
                info = _root.GetBasicInfoOrDefault(delta) with { FileAttributes = info.FileAttributes };
            }

            entry = entry with { FileInfo = info with { CreationTime = info.LastWriteTime, LastAccessTime = info.LastWriteTime } };
        }

        return entry;
    }

    private LayerEntry OpenPlainLink(string name, LayerFileStatus status)
    {
        _currentName = name;
        (FileBasicInfo info, byte[] streams) = PlainFilesTree.ReadLink((UnixLayerRoot)_root, name)
            ?? throw new InvalidDataException(PlainFilesTree.CanWriteTrusted
                ? $"{_root.Describe(name)}: a symbolic link without the Windows metadata of a reparse point."
                : $"{_root.Describe(name)}: a symbolic link whose Windows metadata this process cannot read: the layer was imported by root, which keeps a reparse point's metadata in trusted.* attributes, and only root of the machine (not of a user namespace) may read those; read the layer as root.");
        _current = new MemoryStream(streams, writable: false);
        _currentLinkInfo = new LayerLinkInfo(status.NumberOfLinks, status.FileId);
        _currentSeekable = false;
        return new LayerEntry(name, 0, info);
    }

    private LayerEntry OpenPrefixed(string name, bool isDirectory, string path)
    {
        (FileBasicInfo info, long size, Stream stream, SafeFileHandle handle) = TransportEntry.OpenPrefixed(_root, name, isDirectory, path);
        _current = stream;
        _currentHandle = handle;
        _currentSeekable = true;
        return new LayerEntry(name, size, info);
    }

    private LayerEntry OpenPlain(string name, bool isDirectory, string path)
    {
        FileStream? content = isDirectory ? null : _root.OpenFile(name);
        SafeFileHandle handle = content?.SafeFileHandle ?? (_ownedHandle = _root.OpenHandle(name, directory: true));
        FileBasicInfo info = _root.GetBasicInfoOrDefault(handle);
        long size = content is null ? 0 : _root.GetPlainSize(content, handle, path);
        _current = _root.OpenPlainBackupReader(content, handle, includeSecurity: _options.SecurityOutsideFiles, path);
        _currentHandle = handle;
        _currentSeekable = false;
        return new LayerEntry(name, size, info);
    }

    private void ReadTombstones()
    {
        if (_root.Stat(TransportPath.TombstonesFile) is null)
        {
            if (_options.RequireTombstonesFile)
            {
                throw new LayerPathException("open", _root.Describe(TransportPath.TombstonesFile), Win32Error.FileNotFound);
            }

            return;
        }

        using FileStream file = _root.OpenFile(TransportPath.TombstonesFile);
        foreach (string name in TombstoneFile.Read(file, _root.Describe(TransportPath.TombstonesFile)))
        {
            string directory = TransportPath.Parent(name);
            if (!_tombstonesByDirectory.TryGetValue(directory, out List<string>? list))
            {
                _tombstonesByDirectory[directory] = list = [];
                _tombstoneDirectories.Add(directory);
            }

            list.Add(name);
        }
    }

    private void CloseCurrent()
    {
        _current?.Dispose();
        _ownedHandle?.Dispose();
        _ownedHandle = null;
        _current = null;
        _currentHandle = null;
        _currentLinkInfo = null;
        _currentName = null;
    }
}
