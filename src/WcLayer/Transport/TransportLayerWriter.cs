using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// Writes a layer in the HCS transport format, with exactly the semantics of hcsshim's legacy writer (spec 8):
/// <c>Files\</c> entries become attribute-prefixed backup streams (directories: a directory plus a <c>.$wcidirs$</c>
/// companion), <c>Hives\</c> files are kept plain, <c>UtilityVM\</c> is cloned from the immediate parent (hard links,
/// with the four BCD files copied: B1 fixed) and then changed, hard links may target this layer or a parent, and
/// tombstones are recorded.
/// </summary>
/// <remarks>
/// Names use <c>\</c> (or <c>/</c>) and are cleaned before any comparison (B9). Nothing is ever created outside the
/// folders: names with <c>..</c>, roots, drives or <c>:</c> are rejected, and links inside the folders are never
/// followed. A directory that becomes a reparse point is removed while the layer is written and recreated empty at
/// <see cref="Commit"/>, so nothing can be written through it. Misuse throws: <see cref="Write"/> without a current
/// entry, any call after <see cref="Commit"/> or <see cref="Dispose"/> (B11).
/// </remarks>
public sealed class TransportLayerWriter : ILayerWriter
{
    private const int BufferSize = 64 * 1024;

    private readonly LayerRoot _root;
    private readonly LayerRoot _destinationRoot;
    private readonly List<LayerRoot> _parentRoots = [];
    private readonly TransportLayerWriterOptions _options;
    private readonly List<string> _tombstones = [];
    private readonly List<(string Name, FileBasicInfo Info)> _changedDirectories = [];
    private readonly HashSet<string> _addedFiles = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Target, LayerRoot TargetRoot)> _pendingLinks = [];
    private readonly List<(string Name, LayerRoot Root)> _pendingDirectories = [];
    private readonly ReusableBufferedWriter _buffer = new(BufferSize);

    // Plain Files\ trees: per directory, the names this layer and its parents have there, ignoring case.
    private readonly Dictionary<string, Dictionary<string, string>> _spellings = new(StringComparer.Ordinal);
    private string? _lastDirectory;
    private string? _lastCanonicalDirectory;

    private Stream? _current;
    private FileStream? _currentFile;
    private SafeFileHandle? _currentHandle;
    private PlainBackupWriter? _currentPlain;
    private string? _currentName;
    private LayerRoot? _currentRoot;
    private bool _currentIsDirectory;
    private FileBasicInfo? _currentTimesAfterData;
    private (string Name, FileBasicInfo Info, bool IsDirectory)? _currentPlainReparsePoint;
    private bool _hasUtilityVM;
    // The whiteouts and implicit directories that mirroring tombstones made: only an entry at one of these names needs
    // the check that clears the way (a stat per entry cost 3% of an import). Ignoring case: a superset is harmless.
    private readonly HashSet<string> _madeForTombstones = new(StringComparer.OrdinalIgnoreCase);
    private bool _committed;
    private bool _disposed;

    /// <summary>Creates a writer.</summary>
    /// <param name="importFolderPath">An existing folder that receives the transport format.</param>
    /// <param name="parentLayerPaths">The parent layers, immediate parent first; each must exist.</param>
    /// <param name="layerPath">The destination layer folder (it must exist); the same as <paramref name="importFolderPath"/> in the portable store.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults (HCS staging).</param>
    /// <exception cref="LayerPathException">A folder cannot be opened.</exception>
    public TransportLayerWriter(string importFolderPath, IReadOnlyList<string> parentLayerPaths, string layerPath, TransportLayerWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(importFolderPath);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        ArgumentNullException.ThrowIfNull(layerPath);
        _options = options ?? new TransportLayerWriterOptions();
        var opened = new List<LayerRoot>();
        try
        {
            _root = LayerRoot.Open(importFolderPath);
            opened.Add(_root);
            if (string.Equals(Path.GetFullPath(importFolderPath), Path.GetFullPath(layerPath), StringComparison.Ordinal))
            {
                _destinationRoot = _root;
            }
            else
            {
                _destinationRoot = LayerRoot.Open(layerPath);
                opened.Add(_destinationRoot);
            }

            foreach (string parent in parentLayerPaths)
            {
                LayerRoot parentRoot = LayerRoot.Open(parent);
                opened.Add(parentRoot);
                _parentRoots.Add(parentRoot);
            }
        }
        catch
        {
            opened.ForEach(r => r.Dispose());
            throw;
        }
    }

    /// <summary>The tombstones recorded so far (layer names under <c>Files\</c>), in <see cref="Remove"/> order.</summary>
    public IReadOnlyList<string> Tombstones => _tombstones;

    /// <summary>Whether the layer has a utility VM (cloned into the destination): the HCS store then runs <c>ProcessUtilityVMImage</c>.</summary>
    internal bool HasUtilityVM => _hasUtilityVM;

    /// <inheritdoc/>
    public void Add(string name, FileBasicInfo info)
    {
        ThrowIfDone();
        Reset();
        name = CleanName(name);
        if (name == TransportPath.UtilityVM)
        {
            InitUtilityVM();
            if (!_options.ImportFolderIsLayer)
            {
                // HCS staging: hcsshim's initUtilityVM ignores the entry's times and backup stream (the folder is HCS's
                // to prepare). hcsshim then fails a Write with "closed"; the bytes are dropped here instead, so a
                // layer that carries them (the portable store keeps them) still imports.
                SetCurrent(name, _destinationRoot, file: null, Stream.Null);
                return;
            }

            _changedDirectories.Add((name, info));
            OpenPlain(_destinationRoot, name, info, isDirectory: true, created: false);
            return;
        }

        bool isDirectory = info.IsDirectory;
        if (isDirectory)
        {
            _changedDirectories.Add((name, info));
        }

        if (TransportPath.HasPrefix(name, TransportPath.UtilityVM))
        {
            AddUtilityVMEntry(name, info, isDirectory);
            return;
        }

        if (_options.FilesArePlain && (name == TransportPath.Files || TransportPath.HasPrefix(name, TransportPath.Files)))
        {
            AddPlainFilesEntry(name, CanonicalName(name), info, isDirectory);
            return;
        }

        string fileName = name;
        if (isDirectory)
        {
            _root.CreateDirectory(name);
            fileName = name + TransportPath.DirectoryCompanionSuffix;
            _currentIsDirectory = true;
        }

        FileStream file = _root.CreateFile(fileName);
        try
        {
            // HCS staging sets only the times (hcsshim's strippedFi): the attributes travel in the prefix, and a
            // read-only or directory attribute on the staging file would keep it from being deleted with the folder.
            _root.SetBasicInfo(file.SafeFileHandle, _options.ImportFolderIsLayer ? info : info with { FileAttributes = 0 }, _root.Describe(fileName));
            if (!isDirectory && TransportPath.HasPrefix(name, TransportPath.Hives))
            {
                // hcsshim restores hives without their security descriptors (BackupWrite with processSecurity = false).
                SetCurrent(name, _root, file, _root.CreatePlainBackupWriter(file, file.SafeFileHandle, processSecurity: false, _root.Describe(fileName)));
            }
            else
            {
                _buffer.Attach(file);
                Span<byte> prefix = stackalloc byte[sizeof(uint)];
                BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)info.FileAttributes);
                _buffer.Write(prefix);
                SetCurrent(name, _root, file, _buffer);
            }
        }
        catch
        {
            _buffer.Discard();
            file.Dispose();
            _root.Remove(fileName);
            _currentIsDirectory = false;
            throw;
        }

        _currentName = fileName;
        _addedFiles.Add(name);
    }

    /// <inheritdoc/>
    public void AddLink(string name, string target)
    {
        ThrowIfDone();
        Reset();
        name = CanonicalName(CleanName(name));
        target = CanonicalName(CleanName(target));
        IReadOnlyList<LayerRoot> candidates =
            TransportPath.HasPrefix(target, TransportPath.Files) ? _parentRoots
            : TransportPath.HasPrefix(target, TransportPath.UtilityVMFiles) ? [_destinationRoot]
            : [];
        bool added = _addedFiles.Contains(target) && (TransportPath.HasPrefix(target, TransportPath.Files) || TransportPath.HasPrefix(target, TransportPath.UtilityVMFiles));
        if ((candidates.Count == 0 && !added) || !(TransportPath.HasPrefix(name, TransportPath.Files) || TransportPath.HasPrefix(name, TransportPath.UtilityVMFiles)))
        {
            throw new InvalidDataException($"invalid hard link in layer: '{name}' -> '{target}'");
        }

        LayerRoot? targetRoot = null;
        if (added)
        {
            targetRoot = TransportPath.HasPrefix(target, TransportPath.Files) && _options.ImportFolderIsLayer ? _root : _destinationRoot;
        }
        else
        {
            targetRoot = candidates.FirstOrDefault(root => root.Stat(target) is { IsWhiteout: false });
        }

        if (targetRoot is null)
        {
            throw new InvalidDataException($"failed to find link target for '{name}' -> '{target}'");
        }

        _pendingLinks.Add((name, target, targetRoot));
        _addedFiles.Add(name);
        RememberSpelling(name);
    }

    /// <inheritdoc/>
    public void Remove(string name)
    {
        ThrowIfDone();
        Reset();
        name = CanonicalName(CleanName(name));
        if (TransportPath.HasPrefix(name, TransportPath.Files))
        {
            if (_parentRoots.Count == 0 && !_options.AllowTombstonesWithoutParents)
            {
                throw new InvalidDataException($"base layer cannot have tombstones: {name}");
            }

            _tombstones.Add(name);
            if (_options.FilesArePlain)
            {
                PlainFilesTree.MirrorTombstone((UnixLayerRoot)_root, _parentRoots, name, _madeForTombstones);
            }
        }
        else if (TransportPath.HasPrefix(name, TransportPath.UtilityVMFiles))
        {
            InitUtilityVM();
            if (_destinationRoot.Stat(name) is null)
            {
                throw new LayerPathException("stat", _destinationRoot.Describe(name), Win32Error.FileNotFound);
            }

            _destinationRoot.RemoveAll(name);
        }
        else
        {
            throw new InvalidDataException($"invalid tombstone {name}");
        }
    }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> backupStreamBytes)
    {
        ThrowIfDone();
        if (_current is null)
        {
            throw new InvalidOperationException("closed: there is no current entry to write to (call Add first).");
        }

        _current.Write(backupStreamBytes);
    }

    /// <summary>
    /// Finishes the import folder (hcsshim's inner <c>Close</c>): the current entry, <c>tombstones.txt</c> and the
    /// placeholders of reparse-point directories. With <see cref="TransportLayerWriterOptions.ImportFolderIsLayer"/>
    /// it also creates the hard links and reapplies the directory times; otherwise the caller runs HCS's
    /// <c>ImportLayer</c> and then <see cref="CompleteImport"/>.
    /// </summary>
    public void Commit()
    {
        ThrowIfDone();
        Reset();
        _root.Remove(TransportPath.TombstonesFile);
        if (_options.ImportFolderIsLayer)
        {
            using FileStream file = _root.CreateFile(TransportPath.TombstonesFile);
            TombstoneFile.Write(file, _tombstones);
        }

        foreach ((string name, LayerRoot root) in _pendingDirectories)
        {
            root.CreateDirectory(name);
        }

        _committed = true;
        if (_options.ImportFolderIsLayer)
        {
            ApplyLinksAndDirectoryTimes();
        }
    }

    /// <summary>
    /// The steps after HCS's <c>ImportLayer</c> (spec 8.6): delete the tombstoned paths in the layer, create the
    /// pending hard links, reapply directory times (children before parents). Only for HCS staging.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Commit"/> has not run, or the writer keeps tombstones in the layer.</exception>
    public void CompleteImport()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_committed || _options.ImportFolderIsLayer)
        {
            throw new InvalidOperationException("CompleteImport follows Commit and HCS's ImportLayer, in HCS staging only.");
        }

        foreach (string tombstone in _tombstones)
        {
            _destinationRoot.Remove(tombstone);
        }

        ApplyLinksAndDirectoryTimes();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(_current, _buffer))
        {
            // Disposed without a commit: the layer is discarded, so buffered bytes are dropped rather than flushed
            // (a flush could fail, on a full disk say, and hide the error that made the caller give up).
            _buffer.Discard();
        }

        CloseCurrent();
        foreach (LayerRoot root in _parentRoots)
        {
            root.Dispose();
        }

        if (!ReferenceEquals(_destinationRoot, _root))
        {
            _destinationRoot.Dispose();
        }

        _root.Dispose();
    }

    private void AddUtilityVMEntry(string name, FileBasicInfo info, bool isDirectory)
    {
        if (!_hasUtilityVM)
        {
            throw new InvalidDataException($"missing UtilityVM directory: {name}");
        }

        if (name != TransportPath.UtilityVMFiles && !TransportPath.HasPrefix(name, TransportPath.UtilityVMFiles))
        {
            throw new InvalidDataException($"invalid UtilityVM layer: {name}");
        }

        LayerFileStatus? existing = _destinationRoot.Stat(name);
        bool created = false;
        if (isDirectory)
        {
            if (existing is { } status)
            {
                FileAttributes old = status.IsDirectory ? ExistingAttributes(name) : 0;
                if (!status.IsDirectory || ((old ^ info.FileAttributes) & (FileAttributes.Directory | FileAttributes.ReparsePoint)) != 0)
                {
                    _destinationRoot.RemoveAll(name);
                    existing = null;
                }
            }

            if (existing is null)
            {
                _destinationRoot.CreateDirectory(name);
                created = true;
            }
        }
        else
        {
            // Usually a hard link cloned from the parent: writing through it would change the parent layer.
            _destinationRoot.RemoveAll(name);
            created = true;
        }

        OpenPlain(_destinationRoot, name, info, isDirectory, created);
        _addedFiles.Add(name);
    }

    private void AddPlainFilesEntry(string given, string name, FileBasicInfo info, bool isDirectory)
    {
        var root = (UnixLayerRoot)_root;
        bool reuse = false;
        if (!string.Equals(given, name, StringComparison.Ordinal) && _addedFiles.Contains(name))
        {
            // Two entries of one layer whose names differ only in case: NTFS merges directories, and cannot hold both otherwise.
            if (!isDirectory || _root.Stat(name) is not { IsDirectory: true })
            {
                throw new InvalidDataException($"'{given}' and '{name}' differ only in case: Windows cannot hold both in one directory.");
            }

            reuse = true;
        }

        bool opaque = false;
        if (_madeForTombstones.Contains(name))
        {
            reuse |= PlainFilesTree.PrepareEntry(root, name, isDirectory, out opaque);
        }

        if (isDirectory && !reuse)
        {
            _root.CreateDirectory(name);
        }

        OpenPlain(_root, name, info, isDirectory, created: !isDirectory);
        if (opaque)
        {
            PlainFilesTree.MarkOpaque(_currentHandle!, _root.Describe(name));
        }

        _currentPlainReparsePoint = info.IsReparsePoint ? (name, info, isDirectory) : null;
        _addedFiles.Add(name);
        RememberSpelling(name);
    }

    /// <summary>
    /// A <c>Files\</c> name as NTFS would resolve it in this layer's stack: each component that this layer or a parent
    /// already has in another case takes that spelling (this layer first, then the immediate parent, …), so entries,
    /// whiteouts and hard-link targets of a child land on the entries they mean.
    /// </summary>
    private string CanonicalName(string name) =>
        _options.FilesArePlain && TransportPath.HasPrefix(name, TransportPath.Files) ? CanonicalPath(name) : name;

    /// <summary>
    /// <see cref="CanonicalName"/> of a <c>Files\</c> path: its directory's canonical path (remembered for the next
    /// entry, which a tar usually puts in the same directory), then its last name as spelled there already.
    /// </summary>
    private string CanonicalPath(string name)
    {
        int slash = name.LastIndexOf('\\');
        if (slash < 0)
        {
            return name; // Files itself
        }

        string directory;
        string canonicalDirectory;
        if (_lastDirectory is not null && name.AsSpan(0, slash).SequenceEqual(_lastDirectory))
        {
            directory = _lastDirectory;
            canonicalDirectory = _lastCanonicalDirectory!;
        }
        else
        {
            directory = name[..slash];
            canonicalDirectory = CanonicalPath(directory);
            _lastDirectory = directory;
            _lastCanonicalDirectory = canonicalDirectory;
        }

        ReadOnlySpan<char> leaf = name.AsSpan(slash + 1);
        bool respelled = SpellingsIn(canonicalDirectory).GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(leaf, out string? spelling)
            && !leaf.SequenceEqual(spelling);
        return !respelled && ReferenceEquals(directory, canonicalDirectory) ? name
            : string.Concat(canonicalDirectory, "\\", respelled ? spelling : leaf);
    }

    private Dictionary<string, string> SpellingsIn(string directory)
    {
        if (_spellings.TryGetValue(directory, out Dictionary<string, string>? names))
        {
            return names;
        }

        names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (LayerRoot root in _parentRoots.Prepend(_root))
        {
            try
            {
                if (root.Stat(directory) is not { IsDirectory: true })
                {
                    continue;
                }

                foreach ((string child, _) in root.List(directory))
                {
                    names.TryAdd(child, child);
                }
            }
            catch (LayerPathException)
            {
                // A link or file on the way: this root has nothing there.
            }
        }

        _spellings[directory] = names;
        return names;
    }

    private void RememberSpelling(string name)
    {
        int slash = name.LastIndexOf('\\');
        if (slash > 0 && SpellingsIn(name[..slash]).TryAdd(name[(slash + 1)..], name[(slash + 1)..])
            && _lastDirectory is not null && _lastDirectory.StartsWith(name + "\\", StringComparison.OrdinalIgnoreCase))
        {
            // A directory named after entries below it: the remembered canonical path may now be spelled otherwise.
            _lastDirectory = null;
        }
    }

    private FileAttributes ExistingAttributes(string name)
    {
        using SafeFileHandle handle = _destinationRoot.OpenHandle(name, directory: true);
        return _destinationRoot.GetBasicInfoOrDefault(handle).FileAttributes;
    }

    private void OpenPlain(LayerRoot root, string name, FileBasicInfo info, bool isDirectory, bool created)
    {
        FileStream? file = null;
        SafeFileHandle? handle = null;
        FileBasicInfo? timesAfterData = null;
        try
        {
            if (isDirectory)
            {
                handle = root.OpenHandle(name, directory: true, write: true);
            }
            else
            {
                file = root.CreateFile(name);
                handle = file.SafeFileHandle;
            }

            if (root is UnixLayerRoot unix && !isDirectory)
            {
                // A write moves the POSIX modification time: it is set once the data is in (Reset).
                unix.SetBasicInfoAttribute(handle, info, root.Describe(name));
                timesAfterData = info;
            }
            else
            {
                root.SetBasicInfo(handle, info, root.Describe(name));
            }

            PlainBackupWriter plain = root.CreatePlainBackupWriter(file, handle, processSecurity: true, root.Describe(name));
            SetCurrent(name, root, file, plain);
            _currentHandle = handle;
            _currentTimesAfterData = timesAfterData;
        }
        catch
        {
            file?.Dispose();
            if (isDirectory)
            {
                handle?.Dispose();
            }

            if (created && !isDirectory)
            {
                root.Remove(name);
            }

            throw;
        }
    }

    private void SetCurrent(string name, LayerRoot root, FileStream? file, Stream writer)
    {
        _currentName = name;
        _currentRoot = root;
        _currentFile = file;
        _currentHandle = file?.SafeFileHandle;
        _current = writer;
        _currentPlain = writer as PlainBackupWriter;
    }

    /// <summary>hcsshim HEAD's hardened reset(): finish the current entry; cleanup runs even when finishing fails.</summary>
    private void Reset()
    {
        (string Name, FileBasicInfo Info, bool IsDirectory)? reparsePoint = _currentPlainReparsePoint;
        _currentPlainReparsePoint = null;
        try
        {
            if (_current is null)
            {
                return;
            }

            if (_currentPlain is not null)
            {
                _currentPlain.Complete();
                if (_currentTimesAfterData is { } times)
                {
                    _currentRoot!.SetFileTimes(_currentHandle!, times);
                }
            }
            else
            {
                _current.Flush();
            }

            if (_currentIsDirectory && _currentFile is not null && CompanionHasReparsePoint(_currentFile))
            {
                // Nothing may be created "inside" a directory that will become a reparse point.
                string directory = _currentName![..^TransportPath.DirectoryCompanionSuffix.Length];
                _currentRoot!.Remove(directory);
                _pendingDirectories.Add((directory, _currentRoot));
            }
        }
        finally
        {
            CloseCurrent();
        }

        if (reparsePoint is { } r)
        {
            // Once its backup stream is complete, the reparse data says where a plain-tree link points.
            PlainFilesTree.ConvertToLink((UnixLayerRoot)_root, r.Name, r.Info, r.IsDirectory);
        }
    }

    private bool CompanionHasReparsePoint(FileStream companion)
    {
        companion.Position = sizeof(uint);
        using var reader = new BackupStreamReader(companion, leaveOpen: true);
        try
        {
            while (reader.ReadNextHeader() is { } header)
            {
                if (header.Id == BackupStreamId.ReparseData)
                {
                    return true;
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{_currentRoot!.Describe(_currentName!)}: {e.Message}", e);
        }

        return false;
    }

    private void CloseCurrent()
    {
        if (ReferenceEquals(_current, _buffer))
        {
            _buffer.Detach();
        }

        // Frees a BackupWrite context still open (disposed mid-entry, or Complete failed), before its handle closes:
        // hcsshim's reset always closes its BackupFileWriter.
        _currentPlain?.Dispose();

        if (_currentFile is null)
        {
            _currentHandle?.Dispose();
        }

        _currentFile?.Dispose();
        _current = null;
        _currentFile = null;
        _currentHandle = null;
        _currentPlain = null;
        _currentTimesAfterData = null;
        _currentName = null;
        _currentRoot = null;
        _currentIsDirectory = false;
    }

    private void InitUtilityVM()
    {
        if (_hasUtilityVM)
        {
            return;
        }

        _destinationRoot.CreateDirectory(TransportPath.UtilityVM);
        if (_parentRoots.Count > 0)
        {
            try
            {
                LayerCopier.CloneTree(_parentRoots[0], _destinationRoot, TransportPath.UtilityVMFiles, TransportPath.MutatedUtilityVMFiles);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new LayerPathException($"cloning the parent utility VM image failed: {e.Message}", e);
            }
        }

        _hasUtilityVM = true;
    }

    private void ApplyLinksAndDirectoryTimes()
    {
        foreach ((string name, string target, LayerRoot targetRoot) in _pendingLinks)
        {
            try
            {
                _destinationRoot.Remove(name);
                LayerCopier.LinkOrCopy(targetRoot, target, _destinationRoot, name);
            }
            catch (LayerPathException e)
            {
                // Links are made at commit: name the entry and its target as the caller gave them, not the folders.
                string detail = targetRoot.Stat(target) is { IsDirectory: true }
                    ? "the target is a directory, and a hard link must name a file"
                    : e.Message;
                throw new LayerPathException("link", $"{name} -> {target}", e.ErrorCode, detail, e);
            }
        }

        for (int i = _changedDirectories.Count - 1; i >= 0; i--)
        {
            (string name, FileBasicInfo info) = _changedDirectories[i];
            if (_destinationRoot.Stat(name) is { } status && (status.IsDirectory || (status.Kind == LayerFileKind.SymbolicLink && _destinationRoot.ReparsePointsAreEntries)))
            {
                // A directory that became a reparse point (Windows) is opened as itself.
                using SafeFileHandle handle = _destinationRoot.OpenHandle(name, directory: status.IsDirectory, write: true);
                _destinationRoot.SetBasicInfo(handle, info, _destinationRoot.Describe(name));
            }
            else if (!_options.ImportFolderIsLayer)
            {
                throw new LayerPathException("open", _destinationRoot.Describe(name), Win32Error.FileNotFound);
            }
        }
    }

    private static string CleanName(string name)
    {
        try
        {
            return TransportPath.Clean(name);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"invalid layer entry name: {e.Message}", e);
        }
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The layer writer was committed; it cannot be used anymore.");
        }
    }
}
